package dev.odim.uploads;

/**
 * What one {@link Uploads#cleanUp()} removed.
 *
 * @param expired uploads past their expiry (unfinished, or partials never joined), row and bytes
 * @param orphans objects in the store with no row in the database, older than the grace period
 */
public record CleanUpReport(int expired, int orphans) {}
