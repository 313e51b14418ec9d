package dev.coracle.server.controller;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * Timings of the controllers, with kube-controller-manager's defaults; tests shorten them.
 *
 * @param leaseDuration          how long a leader's lease holds without renewal (15 s)
 * @param renewInterval          how often the leader renews and others retry (2 s)
 * @param nodeMonitorGracePeriod how long a silent node stays Ready (40 s)
 * @param nodeMonitorPeriod      how often node health is checked (5 s)
 * @param disabled               controllers not to run, by name (kube-controller-manager's {@code --controllers=-name})
 */
@ConfigurationProperties("coracle.controllers")
public record ControllerProperties(Duration leaseDuration, Duration renewInterval, Duration nodeMonitorGracePeriod,
                                   Duration nodeMonitorPeriod, Boolean enabled, java.util.List<String> disabled) {

    public ControllerProperties {
        leaseDuration = leaseDuration == null ? Duration.ofSeconds(15) : leaseDuration;
        renewInterval = renewInterval == null ? Duration.ofSeconds(2) : renewInterval;
        nodeMonitorGracePeriod = nodeMonitorGracePeriod == null ? Duration.ofSeconds(40) : nodeMonitorGracePeriod;
        nodeMonitorPeriod = nodeMonitorPeriod == null ? Duration.ofSeconds(5) : nodeMonitorPeriod;
        enabled = enabled == null || enabled;
        disabled = disabled == null ? java.util.List.of() : java.util.List.copyOf(disabled);
    }
}
