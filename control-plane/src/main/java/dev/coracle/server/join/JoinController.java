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

import java.io.IOException;
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
}
