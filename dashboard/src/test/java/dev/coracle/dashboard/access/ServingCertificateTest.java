package dev.coracle.dashboard.access;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ServingCertificateTest {

    @Test
    void aSelfSignedCertificateNamesTheBindAddressAndLoopbackAndItsKeyIsPrivate() throws Exception {
        Path[] files = ServingCertificate.selfSigned("10.0.0.7");
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(files[0])));
        List<String> sans = cert.getSubjectAlternativeNames().stream().map(e -> String.valueOf(e.get(1))).toList();
        assertThat(sans).contains("localhost", "127.0.0.1", "10.0.0.7");
        assertThat(cert.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
        assertThat(Files.readString(files[1])).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(files[1].getParent()))).isEqualTo("rwx------");
    }
}
