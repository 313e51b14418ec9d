package dev.coracle.server.bootstrap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

import java.nio.file.Path;

/** Writes {@code DATA_DIR/kubeconfig.yaml} once the server listens, so it names the real port. */
@Component
class KubeconfigWriter implements ApplicationListener<WebServerInitializedEvent> {

    private static final Logger log = LoggerFactory.getLogger(KubeconfigWriter.class);

    private final ClusterCredentials credentials;
    private final ServerProperties properties;

    KubeconfigWriter(ClusterCredentials credentials, ServerProperties properties) {
        this.credentials = credentials;
        this.properties = properties;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        int port = event.getWebServer().getPort();
        String host = switch (properties.bindAddress()) {
            case "0.0.0.0", "::" -> "127.0.0.1";
            default -> properties.bindAddress();
        };
        Path file = credentials.dataDir().resolve("kubeconfig.yaml");
        Kubeconfig.write(file, "https://" + host + ":" + port, credentials.ca().certificatePem(), credentials.adminToken());
        log.info("Coracle API listening on https://{}:{} — export KUBECONFIG={}", host, port, file);
    }
}
