package dev.coracle.server.scheduler;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * The scheduler's settings, with kube-scheduler's defaults.
 *
 * @param podInitialBackoff                  back-off before retrying a pod that did not fit (1 s), doubling per attempt
 * @param podMaxBackoff                      the longest such back-off (10 s)
 * @param podMaxInUnschedulablePodsDuration  how long an unschedulable pod waits for a relevant change before it is retried anyway (5 min)
 * @param bindWorkers                        bindings written at once (16; kube-scheduler binds each pod in its own goroutine):
 *                                           a binding mostly waits for its commit, which the store shares among all
 *                                           writes in flight, so more at once means more per commit
 */
@ConfigurationProperties("coracle.scheduler")
public record SchedulerProperties(Duration podInitialBackoff, Duration podMaxBackoff, Duration podMaxInUnschedulablePodsDuration,
                                  Integer bindWorkers) {

    public SchedulerProperties {
        podInitialBackoff = podInitialBackoff == null ? Duration.ofSeconds(1) : podInitialBackoff;
        podMaxBackoff = podMaxBackoff == null ? Duration.ofSeconds(10) : podMaxBackoff;
        podMaxInUnschedulablePodsDuration = podMaxInUnschedulablePodsDuration == null ? Duration.ofMinutes(5)
                : podMaxInUnschedulablePodsDuration;
        bindWorkers = bindWorkers == null || bindWorkers < 1 ? 16 : bindWorkers;
    }

    /** {@code calculateBackoffDuration}: the initial back-off doubled per earlier attempt, at most the maximum. */
    public Duration backoff(int attempts) {
        Duration d = podInitialBackoff;
        for (int i = 1; i < attempts; i++) {
            d = d.multipliedBy(2);
            if (d.compareTo(podMaxBackoff) >= 0) {
                return podMaxBackoff;
            }
        }
        return d;
    }
}
