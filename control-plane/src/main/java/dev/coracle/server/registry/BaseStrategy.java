package dev.coracle.server.registry;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.time.Clock;

/** Shared plumbing for strategies: the clock that table ages are computed against. */
public abstract class BaseStrategy<T extends HasMetadata> implements ResourceStrategy<T> {

    protected final Clock clock;

    protected BaseStrategy() {
        this(Clock.systemUTC());
    }

    protected BaseStrategy(Clock clock) {
        this.clock = clock;
    }

    /** The {@code Age} cell: {@code translateTimestampSince(creationTimestamp)}. */
    protected String age(HasMetadata object) {
        return since(object.getMetadata() == null ? null : object.getMetadata().getCreationTimestamp());
    }

    protected String since(String timestamp) {
        return HumanDuration.since(timestamp, clock);
    }

    protected static String nz(String s) {
        return s == null ? "" : s;
    }

    protected static int nz(Integer i) {
        return i == null ? 0 : i;
    }

    protected static String name(HasMetadata object) {
        return object.getMetadata() == null ? "" : nz(object.getMetadata().getName());
    }
}
