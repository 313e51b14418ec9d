package dev.coracle.server.store;

/** Published inside a writing transaction; listeners act on it after commit. */
public record RevisionCommitted(long revision) {
}
