package dev.coracle.server.bootstrap;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

/** The admin kubeconfig a server writes next to its data, like k3s's {@code k3s.yaml}. */
public final class Kubeconfig {

    private Kubeconfig() {
    }

    public static void write(Path file, String serverUrl, String caPem, String token) {
        String ca = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8));
        SecureFiles.write(file, """
                apiVersion: v1
                kind: Config
                clusters:
                - cluster:
                    certificate-authority-data: %s
                    server: %s
                  name: default
                contexts:
                - context:
                    cluster: default
                    user: default
                  name: default
                current-context: default
                preferences: {}
                users:
                - name: default
                  user:
                    token: %s
                """.formatted(ca, serverUrl, token));
    }
}
