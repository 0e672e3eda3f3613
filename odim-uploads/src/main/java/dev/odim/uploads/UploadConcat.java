package dev.odim.uploads;

/** The upload's role in the tus concatenation extension. */
public enum UploadConcat {
  /** An ordinary upload. */
  SINGLE,
  /** A part sent (possibly in parallel with others) to be joined into a final upload. */
  PARTIAL,
  /** The join of partial uploads; it never takes a PATCH. */
  FINAL
}
