package dev.odim.uploads;

/** Where an upload is in its life. */
public enum UploadState {
  /** Accepting bytes; expires when left alone for the configured expiry. */
  UPLOADING,
  /** Every byte is stored and the completion hook committed; the host owns it now. */
  FINISHED
}
