package dev.odim.core.audit;

/**
 * The end of the chain: the last row's seq and hash ({@code seq} 0 and 64 zeros before the first
 * row). Copying it somewhere the database's administrators cannot write (a daily log line, a
 * ticket, another system) anchors the chain: rows up to it can then not be rewritten, even by
 * someone who recomputes every hash after them, without the copy disagreeing.
 *
 * @param seq the seq of the last row
 * @param hash its SHA-256 hash, lowercase hex
 */
public record ChainHead(long seq, String hash) {}
