package dev.coracle.server.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * kube-apiserver's {@code /metrics}: the Prometheus exposition of this server's meters (apiserver_request_total and
 * _duration_seconds, the store's, the scheduler's and controllers', the JVM's), for an authenticated scraper, where
 * Prometheus' Kubernetes configurations look for it.
 */
@RestController
public class ApiserverMetrics {

    private final PrometheusMeterRegistry registry;

    public ApiserverMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @GetMapping("/metrics")
    public ResponseEntity<String> metrics(@RequestHeader(value = "Accept", required = false) String accept) {
        // the text format, or OpenMetrics when the scraper asks for it
        String contentType = accept != null && accept.contains("application/openmetrics-text")
                ? "application/openmetrics-text; version=1.0.0; charset=utf-8" : "text/plain; version=0.0.4; charset=utf-8";
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(contentType)).body(registry.scrape(contentType));
    }
}
