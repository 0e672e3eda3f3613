package dev.odim.ledger;

/** Why an account was or was not created. */
public enum AccountCode {
  CREATED,
  /** An account with this id and the same fields exists: nothing was written. */
  EXISTS,
  EXISTS_WITH_DIFFERENT_CURRENCY,
  EXISTS_WITH_DIFFERENT_CODE,
  EXISTS_WITH_DIFFERENT_FLAGS,
  EXISTS_WITH_DIFFERENT_METADATA,
  /** Both limit flags were set; they exclude each other. */
  FLAGS_ARE_MUTUALLY_EXCLUSIVE,
  CODE_MUST_NOT_BE_NEGATIVE,
  /** The currency has no minor unit (such as XAU) and cannot hold money in minor units. */
  INVALID_CURRENCY,
  /** The metadata is not a JSON object. */
  INVALID_METADATA
}
