package dev.coracle.dashboard.access;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fabric8 clients for an identity. The kubeconfig gives the cluster (server URL, CA); in shared mode its own
 * credentials are never used — only the user's token.
 */
@Component
public class ClientFactory {

    /**
     * First retry of a broken watch; Fabric8 doubles it up to 32 times this. 250 ms keeps the longest wait at 8 s, so
     * a page recovers within seconds of the API coming back.
     */
    private static final int WATCH_RECONNECT_MS = 250;

    private final Config kubeconfig;

    public ClientFactory(DashboardSettings settings) {
        try {
            this.kubeconfig = Config.fromKubeconfig(null, Files.readString(Path.of(settings.kubeconfig())), settings.kubeconfig());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the kubeconfig " + settings.kubeconfig(), e);
        }
    }

    public String serverUrl() {
        return kubeconfig.getMasterUrl();
    }

    public KubernetesClient create(Identity identity) {
        Config config;
        if (identity.local()) {
            config = new ConfigBuilder(kubeconfig).withRequestRetryBackoffLimit(0).withWatchReconnectInterval(WATCH_RECONNECT_MS).build();
        } else {
            config = new ConfigBuilder(Config.empty())
                    .withMasterUrl(kubeconfig.getMasterUrl())
                    .withCaCertData(kubeconfig.getCaCertData())
                    .withCaCertFile(kubeconfig.getCaCertFile())
                    .withTrustCerts(kubeconfig.isTrustCerts())
                    .withDisableHostnameVerification(kubeconfig.isDisableHostnameVerification())
                    .withOauthToken(identity.token())
                    .withRequestRetryBackoffLimit(0)
                    .withWatchReconnectInterval(WATCH_RECONNECT_MS)
                    .build();
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
