package dev.coracle.server.store;

/** What the store can refuse, for the API layer to word as Kubernetes does. */
public final class StoreExceptions {

    private StoreExceptions() {
    }

    public static class ObjectExists extends RuntimeException {
        public ObjectExists(ObjectKey key) {
            super(key.toString());
        }
    }

    public static class ObjectMissing extends RuntimeException {
        public ObjectMissing(ObjectKey key) {
            super(key.toString());
        }
    }

    /** A revision older than the log keeps was asked for. */
    public static class Compacted extends RuntimeException {
        private final long compactedRevision;

        public Compacted(long requested, long compactedRevision) {
            super("required revision " + requested + " has been compacted (oldest kept is " + (compactedRevision + 1) + ")");
            this.compactedRevision = compactedRevision;
        }

        public long compactedRevision() {
            return compactedRevision;
        }
    }

    /**
     * The database could not be read or written (unreachable, restarted, refused the statement). For a
     * write this means it may not have happened: it is never reported as a success.
     */
    public static class Unavailable extends RuntimeException {
        public Unavailable(String what, Throwable cause) {
            super(what + ": " + cause.getMessage(), cause);
        }
    }

    /** The object changed between the read an update was computed from and its commit: read again. */
    static class Stale extends RuntimeException {
        Stale(ObjectKey key) {
            super(key.toString(), null, false, false);
        }
    }
}
