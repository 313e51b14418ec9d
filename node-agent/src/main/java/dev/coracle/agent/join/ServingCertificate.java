package dev.coracle.agent.join;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The agent's serving certificate for its own HTTPS port, signed by the cluster CA: the agent makes a
 * key and a certificate request (SANs: node IP, node name, 127.0.0.1, localhost), the control plane
 * signs it for the node that sent it (with its node credential), and both are kept in
 * {@code DATA_DIR/cred/serving.{crt,key}}. A restart reuses them while they still cover the node's
 * names, come from the same CA and are not about to expire.
 */
public final class ServingCertificate {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private ServingCertificate() {
    }

    /** The certificate and key files, requested now if the saved ones do not fit. */
    public record KeyFiles(Path certificate, Path key) {

        /**
         * The key, read by the JDK (PKCS#8 PEM, as {@link #ensure} writes it): handed a key file instead, Netty reads it
         * with BouncyCastle's PEM reader when that is on the class path, which loads some 700 classes into every agent.
         */
        public PrivateKey privateKey() throws IOException {
            String pem = Files.readString(key);
            byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").strip());
            for (String algorithm : new String[]{"EC", "RSA"}) {
                try {
                    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                } catch (GeneralSecurityException e) {
                    // the other algorithm
                }
            }
            throw new IOException(key + " holds no PKCS#8 EC or RSA private key");
        }

        /**
         * The TLS context of the agent's port, from the JDK alone: it presents this certificate and trusts client
         * certificates from the cluster's CA only. (Netty's own server context checks, once, whether it can wrap a
         * trust manager by reading a built-in key, with BouncyCastle whenever that is on the class path.)
         */
        public SSLContext serverContext(String caPem) throws IOException {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("serving", privateKey(), new char[0], new Certificate[]{x509Certificate()});
                KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, new char[0]);
                return Join.trusting(Join.parse(caPem), keys.getKeyManagers());
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot use " + certificate + " and " + key + ": " + e.getMessage(), e);
            }
        }

        public X509Certificate x509Certificate() throws IOException {
            String pem = Files.readString(certificate);
            try {
                return Join.parse(pem);
            } catch (JoinException e) {
                throw new IOException(certificate + ": " + e.getMessage(), e);
            }
        }
    }

    public static KeyFiles ensure(NodeCredential credential, String nodeName, String nodeIp, Path dataDir) {
        Path cred = dataDir.resolve("cred");
        Path crt = cred.resolve("serving.crt");
        Path key = cred.resolve("serving.key");
        Set<String> sans = new LinkedHashSet<>(List.of(nodeIp, nodeName, "127.0.0.1", "localhost"));
        X509Certificate ca = Join.parse(credential.caPem());
        if (fits(crt, key, sans, ca)) {
            return new KeyFiles(crt, key);
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(sans.stream().map(ServingCertificate::generalName).toArray(GeneralName[]::new)));
            PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(
                    new X500Name("CN=system:node:" + nodeName + ",O=system:nodes"), pair.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
            String certificate = request(credential, pem(csr));
            Join.parse(certificate);
            Files.createDirectories(cred);
            Join.write(key, pem(new JcaPKCS8Generator(pair.getPrivate(), null)));
            Join.write(crt, certificate);
            return new KeyFiles(crt, key);
        } catch (JoinException e) {
            throw e;
        } catch (Exception e) {
            throw new JoinException("cannot obtain the agent's serving certificate: " + e.getMessage(), e);
        }
    }

    private static String request(NodeCredential credential, String csrPem) {
        HttpClient client = HttpClient.newBuilder().sslContext(Join.trusting(Join.parse(credential.caPem())))
                .connectTimeout(TIMEOUT).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(credential.server() + "/v1-coracle/node-serving-certificate"))
                .timeout(TIMEOUT).header("Authorization", "Bearer " + credential.token())
                .header("Content-Type", "application/pkcs10")
                .POST(HttpRequest.BodyPublishers.ofString(csrPem)).build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new JoinException("the server at " + credential.server() + " did not sign the agent's serving certificate (HTTP "
                        + response.statusCode() + "): " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new JoinException("cannot reach the server at " + credential.server() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JoinException("interrupted while asking for the serving certificate", e);
        }
    }

    private static boolean fits(Path crt, Path key, Set<String> sans, X509Certificate ca) {
        String pem = Join.read(crt);
        if (pem == null || !Files.isRegularFile(key)) {
            return false;
        }
        try {
            X509Certificate existing = Join.parse(pem);
            existing.verify(ca.getPublicKey());
            Set<String> names = new LinkedHashSet<>();
            if (existing.getSubjectAlternativeNames() != null) {
                existing.getSubjectAlternativeNames().forEach(entry -> names.add(String.valueOf(entry.get(1))));
            }
            return names.equals(sans) && existing.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(30)));
        } catch (Exception e) {
            return false;
        }
    }

    private static GeneralName generalName(String san) {
        boolean ip = san.matches("[0-9.]+") || san.contains(":");
        if (ip) {
            try {
                return new GeneralName(GeneralName.iPAddress, InetAddress.getByName(san).getHostAddress());
            } catch (IOException e) {
                throw new JoinException("--node-ip " + san + " is not an IP address");
            }
        }
        return new GeneralName(GeneralName.dNSName, san);
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }
}
