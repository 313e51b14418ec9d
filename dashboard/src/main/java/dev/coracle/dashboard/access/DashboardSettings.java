package dev.coracle.dashboard.access;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** What the launcher's flags set (see DashboardFlags). */
@ConfigurationProperties("coracle.dashboard")
public record DashboardSettings(String kubeconfig, boolean shared, boolean tls) {
}
