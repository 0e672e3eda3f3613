package dev.odim.ledger;

/**
 * A broken invariant found by {@link Ledger#verify()}.
 *
 * @param invariant which one, e.g. {@code debits_equal_credits}
 * @param detail what was found, with ids and amounts
 */
public record Violation(String invariant, String detail) {}
