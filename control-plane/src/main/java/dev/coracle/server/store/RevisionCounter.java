package dev.coracle.server.store;

/** The single row holding the store's current (newest committed) and compacted revisions. */
public record RevisionCounter(long currentRevision, long compactedRevision) {
}
