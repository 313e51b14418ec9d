package dev.coracle.server.bootstrap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * Writes {@code DATA_DIR/kubeconfig.yaml} once the server listens, so it names the real port. It is
 * readable by its owner only, unless {@code --write-kubeconfig-mode} (k3s's flag, e.g. {@code 644})
 * says otherwise.
 */
@Component
class KubeconfigWriter implements ApplicationListener<WebServerInitializedEvent> {

    private static final Logger log = LoggerFactory.getLogger(KubeconfigWriter.class);

    private final ClusterCredentials credentials;
    private final ServerProperties properties;

    private final Set<PosixFilePermission> mode;

    KubeconfigWriter(ClusterCredentials credentials, ServerProperties properties,
                     @Value("${coracle.write-kubeconfig-mode:}") String mode) {
        this.credentials = credentials;
        this.properties = properties;
        this.mode = mode.isBlank() ? null : permissions(mode);
    }

    /** An octal file mode as chmod takes it ({@code 644}, {@code 0640}). */
    static Set<PosixFilePermission> permissions(String octal) {
        int bits;
        try {
            bits = Integer.parseInt(octal.trim(), 8);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--write-kubeconfig-mode wants an octal file mode such as 644, got " + octal);
        }
        if (bits < 0 || bits > 0777) {
            throw new IllegalArgumentException("--write-kubeconfig-mode wants an octal file mode such as 644, got " + octal);
        }
        PosixFilePermission[] order = {
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        for (int bit = 0; bit < order.length; bit++) {
            if ((bits & (1 << bit)) != 0) {
                permissions.add(order[bit]);
            }
        }
        return permissions;
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
        if (mode != null) {
            try {
                Files.setPosixFilePermissions(file, mode);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        log.info("Coracle API listening on https://{}:{} — export KUBECONFIG={}", host, port, file);
    }
}
