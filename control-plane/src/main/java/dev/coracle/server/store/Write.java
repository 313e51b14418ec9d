package dev.coracle.server.store;

/** What a caller asks the store to write at a revision the store has just allocated. */
public record Write(String attrs, String body, boolean delete) {

    public static Write put(String attrs, String body) {
        return new Write(attrs, body, false);
    }

    /** Removes the object; the DELETED event carries this body. */
    public static Write remove(String attrs, String body) {
        return new Write(attrs, body, true);
    }

    /** Builds the write once the revision is known, so the body can carry it as its resourceVersion. */
    @FunctionalInterface
    public interface AtRevision {
        Write at(long revision);
    }

    /** Decides, from the current object, what to write; {@code null} means "no change, no new revision". */
    @FunctionalInterface
    public interface Update {
        AtRevision from(StoredObject current);
    }
}
