package dev.coracle.server.discovery;

import dev.coracle.server.store.ObjectStore;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** kube-apiserver's {@code /healthz}, {@code /livez} and {@code /readyz}: plain "ok", readiness checking the store. */
@RestController
public class HealthController {

    private final ObjectStore store;

    public HealthController(ObjectStore store) {
        this.store = store;
    }

    @GetMapping({"/healthz", "/livez"})
    public String live() {
        return "ok";
    }

    @GetMapping("/readyz")
    public ResponseEntity<String> ready() {
        try {
            store.currentRevision();
            return ResponseEntity.ok("ok");
        } catch (RuntimeException e) {
            return ResponseEntity.status(500).body("[-]etcd failed: reason withheld\nreadyz check failed");
        }
    }
}
