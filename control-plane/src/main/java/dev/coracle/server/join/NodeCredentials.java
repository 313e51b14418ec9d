package dev.coracle.server.join;

import dev.coracle.server.bootstrap.ClusterCredentials;
import dev.coracle.server.bootstrap.SecureFiles;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The per-node bearer tokens the join hands out, one file per node in {@code DATA_DIR/cred/nodes}.
 * A node that joins again under the same name (say after losing its data dir) gets a fresh token and
 * the old one stops working at once: whoever holds the join token may take a name over, as in k3s
 * with node-password checks disabled, and an agent that lost its credential can always come back.
 */
@Component
public class NodeCredentials {

    /** A DNS-1123 subdomain, the rule for Node names. */
    private static final Pattern NODE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final Map<String, String> nodeByToken = new ConcurrentHashMap<>();
    private final Map<String, String> tokenByNode = new ConcurrentHashMap<>();

    public NodeCredentials(ClusterCredentials cluster) {
        this.dir = cluster.dataDir().resolve("cred/nodes");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> f.getFileName().toString().endsWith(".token")).forEach(f -> {
                    String name = f.getFileName().toString().replaceFirst("\\.token$", "");
                    try {
                        remember(name, Files.readString(f).trim());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public static boolean validName(String name) {
        return name != null && name.length() <= 253 && NODE_NAME.matcher(name).matches();
    }

    /** A new credential for the node, replacing any earlier one. */
    public synchronized String issue(String node) {
        if (!validName(node)) {
            throw new IllegalArgumentException("invalid node name: " + node);
        }
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        String token = "node." + node + "." + HexFormat.of().formatHex(bytes);
        SecureFiles.write(dir.resolve(node + ".token"), token + "\n");
        remember(node, token);
        return token;
    }

    private void remember(String node, String token) {
        String old = tokenByNode.put(node, token);
        if (old != null) {
            nodeByToken.remove(old);
        }
        nodeByToken.put(token, node);
    }

    /** The node whose credential this is, or null. */
    public String nodeFor(String token) {
        return nodeByToken.get(token);
    }
}
