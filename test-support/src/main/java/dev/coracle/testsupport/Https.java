package dev.coracle.testsupport;

import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** Plain {@code java.net.http} clients for the server's HTTPS: curl -k style, or trusting the cluster CA from a kubeconfig. */
public final class Https {

    private Https() {
    }

    /** Like {@code curl -k}: no certificate checks, no credentials. */
    public static HttpClient trustAllClient() {
        try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, new TrustManager[]{new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl)
                    .connectTimeout(Duration.ofSeconds(5)).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client that trusts exactly the cluster CA of this kubeconfig, as kubectl does. */
    public static HttpClient client(Kubeconfig kubeconfig) {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("cluster-ca", CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(kubeconfig.caPem())));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), new SecureRandom());
            return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl)
                    .connectTimeout(Duration.ofSeconds(5)).build();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The parts of a kubeconfig's current context that a raw client needs. */
    public record Kubeconfig(String server, byte[] caPem, String token) {

        public static Kubeconfig read(Path file) {
            try {
                JsonNode root = new YAMLMapper().readTree(file.toFile());
                String context = root.path("current-context").asString();
                JsonNode ctx = find(root.path("contexts"), context).path("context");
                JsonNode cluster = find(root.path("clusters"), ctx.path("cluster").asString()).path("cluster");
                JsonNode user = find(root.path("users"), ctx.path("user").asString()).path("user");
                return new Kubeconfig(cluster.path("server").asString(),
                        Base64.getDecoder().decode(cluster.path("certificate-authority-data").asString()),
                        user.path("token").asString());
            } catch (RuntimeException e) {
                throw new IllegalStateException("cannot read kubeconfig " + file, e);
            }
        }

        private static JsonNode find(JsonNode list, String name) {
            for (JsonNode entry : list) {
                if (entry.path("name").asString().equals(name)) {
                    return entry;
                }
            }
            throw new IllegalStateException("no entry named '" + name + "' in " + list);
        }
    }
}
