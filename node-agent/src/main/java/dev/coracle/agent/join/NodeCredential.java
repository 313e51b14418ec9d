package dev.coracle.agent.join;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** What the join leaves the agent with: the server, the CA it verified and the node's own bearer token. */
public record NodeCredential(String server, String caPem, String token) {

    /** A Fabric8 client configuration that trusts only the verified CA and sends only the node's token. */
    public Config clientConfig() {
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(server)
                .withCaCertData(Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8)))
                .withOauthToken(token)
                .withRequestRetryBackoffLimit(3)
                .build();
        return config;
    }
}
