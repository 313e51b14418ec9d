package dev.coracle.server.discovery;

import dev.coracle.server.store.ObjectStore;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * kube-apiserver's {@code /healthz}, {@code /livez} and {@code /readyz}: "ok", or with {@code ?verbose} each check as
 * {@code [+]name ok} and the verdict; {@code /readyz/NAME} one check; readiness checks the store and the bootstrap.
 */
@RestController
public class HealthController {

    private final ObjectStore store;
    private volatile boolean bootstrapped;

    public HealthController(ObjectStore store) {
        this.store = store;
    }

    @org.springframework.context.event.EventListener
    void onBootstrapped(dev.coracle.server.bootstrap.BuiltInObjects.Ensured ensured) {
        bootstrapped = true;
    }

    @GetMapping("/livez")
    public ResponseEntity<String> live(ServerHttpRequest request) {
        return report("livez", Map.of("ping", new Check(() -> true, "")), verbose(request));
    }

    /** Not ok until the built-in namespaces and Service exist, like kube-apiserver's post-start hooks. */
    @GetMapping({"/healthz", "/readyz"})
    public ResponseEntity<String> ready(ServerHttpRequest request) {
        String endpoint = request.getPath().value().contains("healthz") ? "healthz" : "readyz";
        return report(endpoint, readinessChecks(), verbose(request));
    }

    @GetMapping({"/healthz/{*check}", "/readyz/{*check}", "/livez/{*check}"})
    public ResponseEntity<String> one(@PathVariable("check") String path) {
        String check = path.startsWith("/") ? path.substring(1) : path;
        Check probe = readinessChecks().get(check);
        if (probe == null) {
            return ResponseEntity.status(404).body("404 page not found\n");
        }
        return probe.ok().getAsBoolean() ? ResponseEntity.ok("ok")
                : ResponseEntity.status(500).body("internal server error: " + probe.whyNot() + "\n");
    }

    /** {@code ?verbose}, with or without a value. */
    private static boolean verbose(ServerHttpRequest request) {
        return request.getQueryParams().containsKey("verbose");
    }

    /** A check, and what its failure says. */
    private record Check(BooleanSupplier ok, String whyNot) {
    }

    private Map<String, Check> readinessChecks() {
        Map<String, Check> checks = new LinkedHashMap<>();
        checks.put("ping", new Check(() -> true, ""));
        checks.put("etcd", new Check(this::storeAnswers, "reason withheld"));
        checks.put("poststarthook/bootstrap-controller", new Check(() -> bootstrapped, "not finished"));
        return checks;
    }

    private boolean storeAnswers() {
        try {
            store.currentRevision();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** kube-apiserver's healthz handler: the failures always listed, every check with {@code verbose}. */
    private static ResponseEntity<String> report(String endpoint, Map<String, Check> checks, boolean verbose) {
        StringBuilder out = new StringBuilder();
        boolean failed = false;
        for (Map.Entry<String, Check> check : checks.entrySet()) {
            if (check.getValue().ok().getAsBoolean()) {
                out.append("[+]").append(check.getKey()).append(" ok\n");
            } else {
                failed = true;
                out.append("[-]").append(check.getKey()).append(" failed: ").append(check.getValue().whyNot()).append('\n');
            }
        }
        if (failed) {
            return ResponseEntity.status(500).body(out.append(endpoint).append(" check failed\n").toString());
        }
        return ResponseEntity.ok(verbose ? out.append(endpoint).append(" check passed\n").toString() : "ok");
    }
}
