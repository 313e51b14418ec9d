package dev.coracle.agent.probes;

import io.fabric8.kubernetes.api.model.Probe;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * One probe of one container run, as the kubelet's probe worker keeps it: first run
 * {@code initialDelaySeconds} after the container started, then every {@code periodSeconds}; the result
 * flips to success after {@code successThreshold} successes in a row and to failure after
 * {@code failureThreshold} failures in a row. Readiness starts as failure, liveness and startup as
 * success / not yet known. Kubernetes' defaults: period 10 s, timeout 1 s, thresholds 1 and 3.
 */
public final class ProbeState {

    public enum Kind {
        LIVENESS("Liveness"), READINESS("Readiness"), STARTUP("Startup");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final Kind kind;
    private final Probe probe;
    private Instant nextAt;
    private Future<ProbeResult> pending;
    private int successes;
    private int failures;
    private Boolean result;

    public ProbeState(Kind kind, Probe probe, Instant containerStarted) {
        this.kind = kind;
        this.probe = probe;
        this.nextAt = containerStarted.plusSeconds(seconds(probe.getInitialDelaySeconds(), 0));
        this.result = kind == Kind.READINESS ? Boolean.FALSE : kind == Kind.LIVENESS ? Boolean.TRUE : null;
    }

    public Kind kind() {
        return kind;
    }

    public Probe probe() {
        return probe;
    }

    public Duration timeout() {
        return Duration.ofSeconds(seconds(probe.getTimeoutSeconds(), 1));
    }

    /** True once it succeeded enough, false once it failed enough, null while a startup probe has not decided. */
    public Boolean result() {
        return result;
    }

    public boolean succeeded() {
        return Boolean.TRUE.equals(result);
    }

    public boolean failed() {
        return Boolean.FALSE.equals(result);
    }

    /**
     * Starts a due run on {@code executor} and collects a finished one; returns the finished run's
     * result (to report a failure), or null when none finished now.
     */
    public ProbeResult poll(Instant now, ExecutorService executor, Supplier<ProbeResult> run) {
        ProbeResult finished = null;
        if (pending != null && pending.isDone()) {
            try {
                finished = pending.get();
            } catch (ExecutionException e) {
                finished = new ProbeResult(false, String.valueOf(e.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (java.util.concurrent.CancellationException e) {
                finished = null;
            }
            pending = null;
            if (finished != null) {
                apply(finished);
            }
        }
        if (pending == null && !now.isBefore(nextAt)) {
            pending = executor.submit(run::get);
            nextAt = now.plusSeconds(seconds(probe.getPeriodSeconds(), 10));
        }
        return finished;
    }

    void apply(ProbeResult r) {
        if (r.success()) {
            failures = 0;
            successes++;
            int threshold = kind == Kind.READINESS ? seconds(probe.getSuccessThreshold(), 1) : 1;
            if (successes >= threshold) {
                result = Boolean.TRUE;
            }
        } else {
            successes = 0;
            failures++;
            if (failures >= seconds(probe.getFailureThreshold(), 3)) {
                result = Boolean.FALSE;
            }
        }
    }

    /** After a liveness or startup failure killed the container: no more runs for it. */
    public void cancel() {
        if (pending != null) {
            pending.cancel(true);
            pending = null;
        }
        nextAt = Instant.MAX;
    }

    private static int seconds(Integer value, int fallback) {
        return value == null || value <= 0 ? fallback : Objects.requireNonNull(value);
    }
}
