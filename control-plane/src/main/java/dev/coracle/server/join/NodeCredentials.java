package dev.coracle.server.join;

import dev.coracle.server.api.InternalClient;
import dev.coracle.server.bootstrap.ClusterCredentials;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The per-node bearer tokens the join hands out. Like k3s's node passwords they live in the cluster,
 * as Secrets {@code kube-system/<node>.node-credential.coracle} holding only the token's SHA-256, so every
 * control-plane replica on the same datastore accepts a node whichever replica it joined through.
 * <p>
 * The rule for a node that joins again under the same name (say after losing its data dir): it gets a
 * fresh token and the old one stops working — at once on the replica that issued it, within
 * {@link #CACHE_TTL} on the others. Whoever holds the join token may take a name over, as in k3s with
 * node-password checks disabled, so an agent that lost its credential can always come back.
 */
@Component
public class NodeCredentials {

    /** A DNS-1123 subdomain, the rule for Node names. */
    private static final Pattern NODE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern TOKEN = Pattern.compile("node\\.(.+)\\.([0-9a-f]{48})");
    static final String NAMESPACE = "kube-system";
    static final String SECRET_TYPE = "coracle.dev/node-credential";
    static final String HASH_KEY = "token-sha256";
    /** How long a verified token is trusted without reading its Secret again (Kubernetes' token cache: 10 s). */
    static final Duration CACHE_TTL = Duration.ofSeconds(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final InternalClient client;
    private final Path legacyDir;
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    private record Verified(String node, Instant until) {
    }

    public NodeCredentials(InternalClient client, ClusterCredentials cluster) {
        this.client = client;
        this.legacyDir = cluster.dataDir().resolve("cred/nodes");
    }

    public static boolean validName(String name) {
        return name != null && name.length() <= 253 && NODE_NAME.matcher(name).matches();
    }

    static String secretName(String node) {
        return node + ".node-credential.coracle";
    }

    /** A new credential for the node, replacing any earlier one. */
    public String issue(String node) {
        if (!validName(node)) {
            throw new IllegalArgumentException("invalid node name: " + node);
        }
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        String token = "node." + node + "." + HexFormat.of().formatHex(bytes);
        store(node, token);
        verified.values().removeIf(v -> v.node().equals(node));
        return token;
    }

    /** The node whose credential this is, or null. May read the node's Secret: call it off the event loop. */
    public String nodeFor(String token) {
        String cached = cachedNode(token);
        if (cached != null) {
            return cached;
        }
        Matcher m = TOKEN.matcher(token);
        if (!m.matches() || !validName(m.group(1))) {
            return null;
        }
        String node = m.group(1);
        Optional<String> hash = storedHash(node).or(() -> importLegacy(node));
        if (hash.isEmpty() || !MessageDigest.isEqual(hash.get().getBytes(StandardCharsets.US_ASCII),
                sha256(token).getBytes(StandardCharsets.US_ASCII))) {
            verified.remove(token);
            return null;
        }
        verified.put(token, new Verified(node, Instant.now().plus(CACHE_TTL)));
        return node;
    }

    /** The node of a token verified lately, or null: answers without the datastore. */
    public String cachedNode(String token) {
        Verified cached = verified.get(token);
        return cached != null && Instant.now().isBefore(cached.until()) ? cached.node() : null;
    }

    private Optional<String> storedHash(String node) {
        return client.get(Secret.class, NAMESPACE, secretName(node))
                .filter(s -> SECRET_TYPE.equals(s.getType()) && s.getData() != null && s.getData().get(HASH_KEY) != null)
                .map(s -> new String(Base64.getDecoder().decode(s.getData().get(HASH_KEY)), StandardCharsets.US_ASCII));
    }

    private void store(String node, String token) {
        Secret secret = new SecretBuilder()
                .withNewMetadata().withName(secretName(node)).withNamespace(NAMESPACE).endMetadata()
                .withType(SECRET_TYPE)
                .withImmutable(false)
                .addToData(HASH_KEY, Base64.getEncoder().encodeToString(sha256(token).getBytes(StandardCharsets.US_ASCII)))
                .build();
        Optional<Secret> existing = client.get(Secret.class, NAMESPACE, secretName(node));
        if (existing.isPresent()) {
            secret.getMetadata().setResourceVersion(existing.get().getMetadata().getResourceVersion());
            client.update(secret);
        } else {
            client.create(secret);
        }
    }

    /** Credentials issued before they moved into Secrets sat in DATA_DIR/cred/nodes/NODE.token: moved over on first use. */
    private Optional<String> importLegacy(String node) {
        Path file = legacyDir.resolve(node + ".token");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            String token = Files.readString(file).trim();
            store(node, token);
            Files.delete(file);
            return Optional.of(sha256(token));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
