package dev.coracle.server.discovery;

import dev.coracle.server.store.ObjectStore;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** kube-apiserver's {@code /healthz}, {@code /livez} and {@code /readyz}: plain "ok", readiness checking the store. */
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
    public String live() {
        return "ok";
    }

    /** Not ok until the built-in namespaces and Service exist, like kube-apiserver's post-start hooks. */
    @GetMapping({"/healthz", "/readyz"})
    public ResponseEntity<String> ready() {
        if (!bootstrapped) {
            return ResponseEntity.status(500).body("[-]poststarthook/bootstrap-controller failed: not finished\nhealthz check failed");
        }
        try {
            store.currentRevision();
            return ResponseEntity.ok("ok");
        } catch (RuntimeException e) {
            return ResponseEntity.status(500).body("[-]etcd failed: reason withheld\nreadyz check failed");
        }
    }
}
