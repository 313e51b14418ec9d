package dev.coracle.server.store;

import java.util.UUID;

/** What a caller asks the store to write at a revision the store has just allocated. */
public record Write(String attrs, String body, boolean delete) {

    /**
     * Stands for the resourceVersion in a body serialised before its revision is known; random per
     * process, so no client can send it. Serialising ahead keeps JSON work off the commit path, where
     * the store only splices the number in ({@link #put(String, String)} of a template).
     */
    public static final String REVISION_PLACEHOLDER = "coracle-revision-" + UUID.randomUUID();
    private static final String QUOTED_PLACEHOLDER = "\"" + REVISION_PLACEHOLDER + "\"";

    public static Write put(String attrs, String body) {
        return new Write(attrs, body, false);
    }

    /** Removes the object; the DELETED event carries this body. */
    public static Write remove(String attrs, String body) {
        return new Write(attrs, body, true);
    }

    /** Writes {@code template} with its {@link #REVISION_PLACEHOLDER} resourceVersion replaced by the revision. */
    public static AtRevision putTemplate(String attrs, String template) {
        return revision -> put(attrs, stamp(template, revision));
    }

    /** Removes the object; the DELETED event carries {@code template} stamped with the revision. */
    public static AtRevision removeTemplate(String attrs, String template) {
        return revision -> remove(attrs, stamp(template, revision));
    }

    static String stamp(String template, long revision) {
        int at = template.indexOf(QUOTED_PLACEHOLDER);
        if (at < 0) {
            throw new IllegalArgumentException("the body carries no revision placeholder");
        }
        return template.substring(0, at) + '"' + revision + '"' + template.substring(at + QUOTED_PLACEHOLDER.length());
    }

    /** Builds the write once the revision is known, so the body can carry it as its resourceVersion. */
    @FunctionalInterface
    public interface AtRevision {
        Write at(long revision);
    }

    /**
     * Decides, from the current object, what to write; {@code null} means "no change, no new revision".
     * It may be called more than once: when another write commits first, it is asked again with the newer object.
     */
    @FunctionalInterface
    public interface Update {
        AtRevision from(StoredObject current);
    }
}
