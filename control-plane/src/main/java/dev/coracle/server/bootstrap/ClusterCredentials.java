package dev.coracle.server.bootstrap;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a server's data dir holds besides the objects: the CA, the serving certificate, the admin
 * token and the node join token. Created on the first start and kept across restarts.
 */
public final class ClusterCredentials {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dataDir;
    private final CertificateAuthority ca;
    private final String adminToken;
    private final String joinToken;

    private ClusterCredentials(Path dataDir, CertificateAuthority ca, String adminToken, String joinToken) {
        this.dataDir = dataDir;
        this.ca = ca;
        this.adminToken = adminToken;
        this.joinToken = joinToken;
    }

    public static ClusterCredentials prepare(ServerProperties properties) {
        Path dataDir = properties.dataDir().toAbsolutePath();
        Path tls = dataDir.resolve("tls");
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(tls.resolve("server-ca.crt"), tls.resolve("server-ca.key"));
        ca.ensureServingCertificate(tls.resolve("serving-kube-apiserver.crt"), tls.resolve("serving-kube-apiserver.key"),
                subjectAltNames(properties));
        ca.ensureClientCertificate(tls.resolve("client-kube-apiserver.crt"), tls.resolve("client-kube-apiserver.key"),
                "system:apiserver", "system:masters");
        String admin = SecureFiles.readOrCreate(dataDir.resolve("cred/admin.token"), ClusterCredentials::randomSecret);
        String join = joinToken(dataDir.resolve("token"), properties.token(), ca);
        return new ClusterCredentials(dataDir, ca, admin, join);
    }

    /**
     * k3s's token format {@code K10<sha256 of the CA>::server:<secret>}: an agent can check the CA
     * it is shown against the token before trusting it. A plain {@code --token} is accepted as the
     * secret part.
     */
    private static String joinToken(Path file, String configured, CertificateAuthority ca) {
        if (configured != null && !configured.isBlank()) {
            String token = configured.startsWith("K10") ? configured : "K10" + caHash(ca) + "::server:" + configured;
            SecureFiles.write(file, token + "\n");
            return token;
        }
        return SecureFiles.readOrCreate(file, () -> "K10" + caHash(ca) + "::server:" + randomSecret());
    }

    static String caHash(CertificateAuthority ca) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ca.certificate().getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> subjectAltNames(ServerProperties properties) {
        Set<String> sans = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "kubernetes", "kubernetes.default",
                "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"));
        try {
            sans.add(InetAddress.getLocalHost().getHostName());
        } catch (UnknownHostException ignored) {
            // no resolvable hostname: the other names still cover local use
        }
        if (!properties.bindAddress().equals("0.0.0.0") && !properties.bindAddress().equals("::")) {
            sans.add(properties.bindAddress());
        }
        if (properties.advertiseAddress() != null) {
            sans.add(properties.advertiseAddress());
        }
        sans.add(ServiceNetwork.kubernetesServiceIp(properties.serviceCidr()));
        sans.addAll(properties.tlsSan());
        return new ArrayList<>(sans);
    }

    private static String randomSecret() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public Path dataDir() {
        return dataDir;
    }

    public CertificateAuthority ca() {
        return ca;
    }

    public String adminToken() {
        return adminToken;
    }

    public String joinToken() {
        return joinToken;
    }

    /**
     * Whether an agent presented the join token: the full {@code K10...::server:SECRET} form, or — as
     * k3s accepts it — the bare secret, for agents given the same {@code --token} as the server (the
     * compose file does so). Without the CA hash such an agent cannot check the CA it is shown; with
     * the full token it does.
     */
    public boolean isJoinToken(String presented) {
        int at = joinToken.indexOf("::server:");
        String secret = at < 0 ? "" : joinToken.substring(at + "::server:".length());
        return equal(presented, joinToken) || (!secret.isEmpty() && equal(presented, secret));
    }

    private static boolean equal(String a, String b) {
        return java.security.MessageDigest.isEqual(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public Path servingCertificate() {
        return dataDir.resolve("tls/serving-kube-apiserver.crt");
    }

    /** The client certificate the control plane presents to node agents (CN system:apiserver). */
    public Path agentClientCertificate() {
        return dataDir.resolve("tls/client-kube-apiserver.crt");
    }

    public Path agentClientKey() {
        return dataDir.resolve("tls/client-kube-apiserver.key");
    }

    public Path servingKey() {
        return dataDir.resolve("tls/serving-kube-apiserver.key");
    }
}
