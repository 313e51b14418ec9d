package dev.coracle.server.bootstrap;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The cluster's CA, kept as PEM files in the data dir like k3s's {@code server/tls}: created on
 * first start, reused after, and used to sign the serving certificate (and, later, node certificates).
 */
public final class CertificateAuthority {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey key;

    private CertificateAuthority(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    public static CertificateAuthority loadOrCreate(Path crt, Path keyFile) {
        try {
            if (Files.exists(crt) && Files.exists(keyFile)) {
                return new CertificateAuthority(readCertificate(crt), readKey(keyFile));
            }
            KeyPair pair = newKeyPair();
            X500Name name = new X500Name("CN=coracle-server-ca@" + Instant.now().getEpochSecond());
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(Instant.now().minus(Duration.ofHours(1))), Date.from(Instant.now().plus(Duration.ofDays(3650))),
                    name, pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            builder.addExtension(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils().createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate cert = convert(builder.build(signer(pair.getPrivate())));
            writePem(crt, cert);
            writePem(keyFile, pair.getPrivate());
            return new CertificateAuthority(cert, pair.getPrivate());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot create the cluster CA", e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public String certificatePem() {
        return pem(certificate);
    }

    /**
     * Writes a serving certificate for these DNS names and IPs, unless the one on disk already
     * covers exactly them and was signed by this CA.
     */
    public void ensureServingCertificate(Path crt, Path keyFile, Collection<String> sans) {
        Set<String> wanted = new LinkedHashSet<>(sans);
        try {
            if (Files.exists(crt) && Files.exists(keyFile)) {
                X509Certificate existing = readCertificate(crt);
                if (sanStrings(existing).equals(wanted) && existing.getIssuerX500Principal().equals(certificate.getSubjectX500Principal())
                        && existing.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(30)))) {
                    return;
                }
            }
            GeneralName[] names = wanted.stream().map(CertificateAuthority::generalName).toArray(GeneralName[]::new);
            writeLeaf(crt, keyFile, "CN=coracle,O=coracle", KeyPurposeId.id_kp_serverAuth, new GeneralNames(names));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot create the serving certificate", e);
        }
    }

    /**
     * Writes a client certificate (CN {@code commonName}, O {@code organization}) unless a valid one
     * signed by this CA is on disk: the credential the control plane presents to node agents, like
     * kube-apiserver's kubelet client certificate.
     */
    public void ensureClientCertificate(Path crt, Path keyFile, String commonName, String organization) {
        try {
            if (Files.exists(crt) && Files.exists(keyFile)) {
                X509Certificate existing = readCertificate(crt);
                if (existing.getIssuerX500Principal().equals(certificate.getSubjectX500Principal())
                        && existing.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(30)))) {
                    return;
                }
            }
            writeLeaf(crt, keyFile, "CN=" + commonName + ",O=" + organization, KeyPurposeId.id_kp_clientAuth, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot create the client certificate", e);
        }
    }

    /** A year's certificate signed by this CA, for a server or a client, with its new key beside it. */
    private void writeLeaf(Path crt, Path keyFile, String subject, KeyPurposeId purpose, GeneralNames sans)
            throws IOException, GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException {
        KeyPair pair = newKeyPair();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(),
                Date.from(Instant.now().minus(Duration.ofHours(1))), Date.from(Instant.now().plus(Duration.ofDays(365))),
                new X500Name(subject), pair.getPublic());
        if (sans != null) {
            builder.addExtension(Extension.subjectAlternativeName, false, sans);
        }
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        writePem(crt, convert(builder.build(signer(key))));
        writePem(keyFile, pair.getPrivate());
    }

    /**
     * Signs a node's serving certificate from its PKCS#10 request: subject {@code CN=system:node:NAME,
     * O=system:nodes} whatever the request says, server authentication only, and the request's
     * subject alternative names (a kubelet-serving CSR's). The caller checks the names are the node's.
     */
    public String signServingCertificate(org.bouncycastle.pkcs.PKCS10CertificationRequest csr, String node, List<String> sans) {
        try {
            java.security.PublicKey publicKey = new JcaPEMKeyConverter().getPublicKey(csr.getSubjectPublicKeyInfo());
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(),
                    Date.from(Instant.now().minus(Duration.ofHours(1))), Date.from(Instant.now().plus(Duration.ofDays(365))),
                    new X500Name("CN=system:node:" + node + ",O=system:nodes"), publicKey);
            GeneralName[] names = sans.stream().map(CertificateAuthority::generalName).toArray(GeneralName[]::new);
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            return pem(convert(builder.build(signer(key))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot sign the node's serving certificate", e);
        }
    }

    private static Set<String> sanStrings(X509Certificate cert) throws GeneralSecurityException {
        Set<String> out = new LinkedHashSet<>();
        if (cert.getSubjectAlternativeNames() != null) {
            for (var entry : cert.getSubjectAlternativeNames()) {
                out.add(String.valueOf(entry.get(1)));
            }
        }
        return out;
    }

    private static GeneralName generalName(String san) {
        return isIpAddress(san) ? new GeneralName(GeneralName.iPAddress, san) : new GeneralName(GeneralName.dNSName, san);
    }

    static boolean isIpAddress(String s) {
        if (s.matches("[0-9.]+")) {
            return true;
        }
        if (s.contains(":")) {
            try {
                InetAddress.getByName(s);
                return true;
            } catch (IOException e) {
                return false;
            }
        }
        return false;
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(63, RANDOM);
    }

    private static ContentSigner signer(PrivateKey key) throws org.bouncycastle.operator.OperatorCreationException {
        return new JcaContentSignerBuilder("SHA256withECDSA").build(key);
    }

    private static X509Certificate convert(X509CertificateHolder holder) throws GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    private static X509Certificate readCertificate(Path file) throws IOException, GeneralSecurityException {
        try (PEMParser parser = new PEMParser(Files.newBufferedReader(file))) {
            return convert((X509CertificateHolder) parser.readObject());
        }
    }

    private static PrivateKey readKey(Path file) throws IOException {
        try (PEMParser parser = new PEMParser(Files.newBufferedReader(file))) {
            Object object = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (object instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            return converter.getPrivateKey((org.bouncycastle.asn1.pkcs.PrivateKeyInfo) object);
        }
    }

    static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object instanceof PrivateKey k ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null) : object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writePem(Path file, Object object) throws IOException {
        Files.createDirectories(file.getParent());
        SecureFiles.write(file, pem(object));
    }
}
