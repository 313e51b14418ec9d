package dev.coracle.agent.join;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The k3s join: fetch the server's CA from {@code /cacerts} without trusting anything yet, check its
 * SHA-256 against the {@code K10<hash>::server:<secret>} token, then — over a connection that trusts
 * only that CA — exchange the join token for the node's own credential. The credential is saved in
 * {@code DATA_DIR/cred} only once all of this succeeded, so a failed join leaves nothing behind; a
 * later start with the same server reuses it and never sends the join token again.
 */
public final class Join {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private Join() {
    }

    public static NodeCredential joinOrReuse(String server, String joinToken, String nodeName, Path dataDir) {
        Path cred = dataDir.resolve("cred");
        NodeCredential saved = load(cred);
        if (saved != null && saved.server().equals(server) && nodeName.equals(read(cred.resolve("node-name")))) {
            return saved;
        }
        NodeCredential fresh = join(server, joinToken, nodeName);
        save(cred, fresh, nodeName);
        return fresh;
    }

    public static NodeCredential join(String server, String joinToken, String nodeName) {
        String caPem = fetchCa(server);
        X509Certificate ca = parse(caPem);
        String expected = expectedCaHash(joinToken);
        if (expected != null) {
            String actual = sha256(ca);
            if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), actual.getBytes(StandardCharsets.UTF_8))) {
                throw new JoinException("the server at " + server + " presented a CA whose hash (" + actual
                        + ") does not match the join token's (" + expected + "): refusing to trust it");
            }
        }
        HttpClient client = HttpClient.newBuilder().sslContext(trusting(ca)).connectTimeout(TIMEOUT).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(server + "/v1-coracle/node-credential?node="
                        + URLEncoder.encode(nodeName, StandardCharsets.UTF_8)))
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + joinToken)
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response = send(client, request, server);
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            throw new JoinException("the server at " + server + " refused the join token (HTTP " + response.statusCode()
                    + "): use the token in the server's DATA_DIR/token");
        }
        if (response.statusCode() != 200) {
            throw new JoinException("the server at " + server + " did not issue a node credential (HTTP "
                    + response.statusCode() + "): " + response.body());
        }
        return new NodeCredential(server, caPem, response.body().trim());
    }

    /** The CA hash of a {@code K10<hash>::...} token, or null for a bare secret (then the CA cannot be checked). */
    static String expectedCaHash(String token) {
        if (token.startsWith("K10") && token.contains("::")) {
            return token.substring(3, token.indexOf("::")).toLowerCase();
        }
        return null;
    }

    private static String fetchCa(String server) {
        HttpClient insecure = HttpClient.newBuilder().sslContext(trustingAnything()).connectTimeout(TIMEOUT).build();
        HttpResponse<String> response = send(insecure, HttpRequest.newBuilder(URI.create(server + "/cacerts"))
                .timeout(TIMEOUT).GET().build(), server);
        if (response.statusCode() != 200) {
            throw new JoinException("the server at " + server + " did not hand out its CA (HTTP " + response.statusCode()
                    + "): is it a Coracle server?");
        }
        return response.body();
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest request, String server) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new JoinException("cannot reach the server at " + server + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JoinException("interrupted while joining " + server, e);
        }
    }

    static X509Certificate parse(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new JoinException("the server's /cacerts is not a certificate: " + e.getMessage(), e);
        }
    }

    static String sha256(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static SSLContext trusting(X509Certificate ca) {
        return trusting(ca, null);
    }

    /** Trusts only {@code ca}, presenting {@code keys} (null: none). */
    static SSLContext trusting(X509Certificate ca, javax.net.ssl.KeyManager[] keys) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(keys, tmf.getTrustManagers(), new SecureRandom());
            return ssl;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Trusts any server: only for what is checked otherwise (the CA against the token's hash; probes, as the kubelet's). */
    public static SSLContext trustingAnything() {
        return trustingAnything(null);
    }

    /** As {@link #trustingAnything()}, presenting a client certificate from {@code keys}. */
    public static SSLContext trustingAnything(javax.net.ssl.KeyManager[] keys) {
        try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(keys, new TrustManager[]{new X509TrustManager() {
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return ssl;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static NodeCredential load(Path cred) {
        String server = read(cred.resolve("server"));
        String ca = read(cred.resolve("server-ca.crt"));
        String token = read(cred.resolve("node.token"));
        return server == null || ca == null || token == null ? null : new NodeCredential(server, ca, token);
    }

    static String read(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file).trim() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static void save(Path cred, NodeCredential credential, String nodeName) {
        try {
            Files.createDirectories(cred);
            write(cred.resolve("server-ca.crt"), credential.caPem());
            write(cred.resolve("server"), credential.server());
            write(cred.resolve("node-name"), nodeName);
            write(cred.resolve("node.token"), credential.token()); // last: its presence means a complete join
        } catch (IOException e) {
            throw new JoinException("cannot save the node credential in " + cred + ": " + e.getMessage(), e);
        }
    }

    static void write(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content.endsWith("\n") ? content : content + "\n");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
