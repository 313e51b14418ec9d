package dev.coracle.server.auth;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.AuthenticatedUser;
import dev.coracle.server.api.RequestInfo;
import dev.coracle.server.api.Responses;
import dev.coracle.server.bootstrap.ClusterCredentials;
import dev.coracle.server.join.JoinController;
import dev.coracle.server.join.NodeCredentials;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;

/**
 * Bearer tokens, as kube-apiserver's token authenticator: the admin token of the kubeconfig, and
 * the node join token, and the nodes' own credentials from the join. Everything but the health and version endpoints needs one (401 otherwise).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class TokenAuthentication implements WebFilter {

    private static final Set<String> PUBLIC = Set.of("/healthz", "/livez", "/readyz", "/version", "/actuator/health",
            "/actuator/health/liveness", "/actuator/health/readiness", JoinController.CACERTS);

    private final ClusterCredentials credentials;
    private final NodeCredentials nodes;

    public TokenAuthentication(ClusterCredentials credentials, NodeCredentials nodes) {
        this.credentials = credentials;
        this.nodes = nodes;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (PUBLIC.contains(RequestInfo.withoutTrailingSlashes(path))) {
            return chain.filter(exchange);
        }
        String authorization = exchange.getRequest().getHeaders().getFirst("Authorization");
        String token = bearerToken(authorization);
        if (token == null) {
            return Responses.status(exchange, ApiException.unauthorized());
        }
        String user = clusterUser(token);
        String cachedNode = user == null ? nodes.cachedNode(token) : null;
        if (cachedNode != null) {
            user = "system:node:" + cachedNode;
        }
        if (user != null) {
            return authenticated(exchange, chain, user);
        }
        // A node credential not seen lately is checked against its Secret: a datastore read, off the event loop.
        return Mono.fromCallable(() -> Optional.ofNullable(nodeUser(token)))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(node -> node.isPresent() ? authenticated(exchange, chain, node.get())
                        : Responses.status(exchange, ApiException.unauthorized()));
    }

    private static Mono<Void> authenticated(ServerWebExchange exchange, WebFilterChain chain, String user) {
        exchange.getAttributes().put(AuthenticatedUser.ATTRIBUTE, user);
        return chain.filter(exchange);
    }

    private static String bearerToken(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    private String clusterUser(String token) {
        if (same(token, credentials.adminToken())) {
            return "system:admin";
        }
        if (credentials.isJoinToken(token)) {
            return "system:node-bootstrap";
        }
        return null;
    }

    private String nodeUser(String token) {
        String node = nodes.nodeFor(token);
        return node == null ? null : "system:node:" + node;
    }

    private static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
