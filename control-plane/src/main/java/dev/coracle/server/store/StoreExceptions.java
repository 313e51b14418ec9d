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
}
