package dev.coracle.server.join;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.AuthenticatedUser;
import dev.coracle.server.api.Responses;
import dev.coracle.server.bootstrap.ClusterCredentials;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.springframework.core.io.buffer.DataBufferUtils;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * The k3s-style join: {@code GET /cacerts} hands out the cluster CA to anyone (the agent checks it
 * against the hash in its join token before trusting it), and {@code POST /v1-coracle/node-credential?node=NAME},
 * called with the join token over the now-verified connection, issues the node its own bearer token
 * (user {@code system:node:NAME}).
 */
@RestController
public class JoinController {

    public static final String CACERTS = "/cacerts";
    public static final String NODE_CREDENTIAL = "/v1-coracle/node-credential";
    public static final String NODE_SERVING_CERTIFICATE = "/v1-coracle/node-serving-certificate";

    private final ClusterCredentials cluster;
    private final NodeCredentials nodes;

    public JoinController(ClusterCredentials cluster, NodeCredentials nodes) {
        this.cluster = cluster;
        this.nodes = nodes;
    }

    @GetMapping(value = CACERTS, produces = MediaType.TEXT_PLAIN_VALUE)
    public String cacerts() {
        try {
            return Files.readString(cluster.dataDir().resolve("tls/server-ca.crt"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @PostMapping(value = NODE_CREDENTIAL)
    public Mono<Void> nodeCredential(@RequestParam("node") String node, ServerWebExchange exchange) {
        Object user = exchange.getAttribute(AuthenticatedUser.ATTRIBUTE);
        if (!"system:node-bootstrap".equals(user) && !"system:admin".equals(user)) {
            return Responses.status(exchange, ApiException.forbidden("only the join token may issue node credentials"));
        }
        if (!NodeCredentials.validName(node)) {
            return Responses.status(exchange, ApiException.badRequest(
                    "invalid node name \"" + node + "\": a lowercase RFC 1123 subdomain is required"));
        }
        String token = nodes.issue(node);
        exchange.getResponse().getHeaders().setContentType(MediaType.TEXT_PLAIN);
        return exchange.getResponse().writeWith(Mono.just(exchange.getResponse().bufferFactory()
                .wrap((token + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    }

    /**
     * The node's serving certificate for its agent port, from a PKCS#10 request (PEM body) sent with
     * the node's own credential, like a kubelet-serving CSR that the control plane approves at once: a
     * node gets a certificate for its own name only, with its IPs, its name and localhost as SANs.
     */
    @PostMapping(value = NODE_SERVING_CERTIFICATE)
    public Mono<Void> nodeServingCertificate(ServerWebExchange exchange) {
        Object user = exchange.getAttribute(AuthenticatedUser.ATTRIBUTE);
        if (!(user instanceof String name) || !name.startsWith("system:node:")) {
            return Responses.status(exchange, ApiException.forbidden("only a node's own credential may ask for its serving certificate"));
        }
        String node = name.substring("system:node:".length());
        return DataBufferUtils.join(exchange.getRequest().getBody(), 64 * 1024)
                .map(buffer -> {
                    String pem = buffer.toString(StandardCharsets.US_ASCII);
                    DataBufferUtils.release(buffer);
                    return pem;
                })
                .defaultIfEmpty("")
                .flatMap(pem -> {
                    String certificate;
                    try {
                        certificate = sign(pem, node);
                    } catch (ApiException e) {
                        return Responses.status(exchange, e);
                    }
                    exchange.getResponse().getHeaders().setContentType(MediaType.TEXT_PLAIN);
                    return exchange.getResponse().writeWith(Mono.just(exchange.getResponse().bufferFactory()
                            .wrap(certificate.getBytes(StandardCharsets.US_ASCII))));
                });
    }

    private String sign(String pem, String node) {
        PKCS10CertificationRequest csr;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object parsed = parser.readObject();
            if (!(parsed instanceof PKCS10CertificationRequest request)) {
                throw ApiException.badRequest("the body must be a PEM certificate request (CERTIFICATE REQUEST)");
            }
            csr = request;
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(
                    new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter().getPublicKey(csr.getSubjectPublicKeyInfo())))) {
                throw ApiException.badRequest("the certificate request's signature does not verify");
            }
        } catch (IOException | org.bouncycastle.operator.OperatorCreationException | org.bouncycastle.pkcs.PKCSException e) {
            throw ApiException.badRequest("the body must be a PEM certificate request: " + e.getMessage());
        }
        List<String> sans = new ArrayList<>();
        for (Attribute attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            Extensions extensions = Extensions.getInstance(attribute.getAttrValues().getObjectAt(0));
            GeneralNames names = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
            if (names == null) {
                continue;
            }
            for (GeneralName n : names.getNames()) {
                if (n.getTagNo() == GeneralName.dNSName) {
                    String dns = n.getName().toString();
                    if (!dns.equals(node) && !dns.equals("localhost")) {
                        throw ApiException.forbidden("node " + node + " may not have a serving certificate for the DNS name " + dns);
                    }
                    sans.add(dns);
                } else if (n.getTagNo() == GeneralName.iPAddress) {
                    try {
                        sans.add(java.net.InetAddress.getByAddress(
                                org.bouncycastle.asn1.DEROctetString.getInstance(n.getName()).getOctets()).getHostAddress());
                    } catch (java.net.UnknownHostException e) {
                        throw ApiException.badRequest("invalid IP address in the certificate request");
                    }
                } else {
                    throw ApiException.badRequest("the certificate request may name DNS names and IP addresses only");
                }
            }
        }
        if (sans.isEmpty()) {
            sans.add(node);
        }
        return cluster.ca().signServingCertificate(csr, node, sans);
    }
}
