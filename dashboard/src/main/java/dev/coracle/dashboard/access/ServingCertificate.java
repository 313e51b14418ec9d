package dev.coracle.dashboard.access;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Shared mode off loopback sends bearer tokens over the network, so it serves HTTPS. Without a certificate given
 * (--tls-cert-file/--tls-private-key-file) it makes a self-signed one for this start: the browser warns once, but the
 * token never crosses the wire in clear.
 */
public final class ServingCertificate {

    private ServingCertificate() {
    }

    /** Writes {@code dashboard.crt} and {@code dashboard.key} (PEM) into a fresh private directory and returns them. */
    public static Path[] selfSigned(String bindAddress) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        Set<String> sans = new LinkedHashSet<>(List.of("localhost", "127.0.0.1"));
        if (!bindAddress.equals("0.0.0.0") && !bindAddress.equals("::")) {
            sans.add(bindAddress);
        }
        sans.add(InetAddress.getLocalHost().getHostName());
        List<GeneralName> names = new ArrayList<>();
        for (String san : sans) {
            names.add(san.matches("[0-9.]+|.*:.*") ? new GeneralName(GeneralName.iPAddress, san) : new GeneralName(GeneralName.dNSName, san));
        }
        X500Name subject = new X500Name("CN=coracle-dashboard");
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                Date.from(Instant.now().minus(Duration.ofHours(1))), Date.from(Instant.now().plus(Duration.ofDays(365))), subject, pair.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        var certificate = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        Path dir = Files.createTempDirectory("coracle-dashboard-tls", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        dir.toFile().deleteOnExit();
        Path crt = dir.resolve("dashboard.crt");
        Path key = dir.resolve("dashboard.key");
        Files.writeString(crt, pem(certificate));
        Files.writeString(key, pem(pair.getPrivate()));
        crt.toFile().deleteOnExit();
        key.toFile().deleteOnExit();
        return new Path[]{crt, key};
    }

    private static String pem(Object o) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(o);
        }
        return out.toString();
    }
}
