package dev.coracle.server.auth;

import dev.coracle.server.api.AuthenticatedUser;
import dev.coracle.server.api.RequestInfo;
import dev.coracle.server.api.Responses;
import dev.coracle.server.join.JoinController;
import dev.coracle.server.registry.Registry;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * What the join token may do: what a bootstrap token may on Kubernetes (group system:bootstrappers) — get its node
 * credential, read discovery, the OpenAPI documents and the version, and ask about itself (the self reviews) — and
 * nothing else: every node holds the join token, so it must not open the cluster's objects. Refused as kube-apiserver's
 * authorizer refuses: 403 naming the user, the verb and the resource.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
public class BootstrapAccess implements WebFilter {

    static final String BOOTSTRAP = "system:node-bootstrap";

    private final Registry registry;

    public BootstrapAccess(Registry registry) {
        this.registry = registry;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!BOOTSTRAP.equals(exchange.getAttribute(AuthenticatedUser.ATTRIBUTE))) {
            return chain.filter(exchange);
        }
        String path = RequestInfo.withoutTrailingSlashes(exchange.getRequest().getPath().pathWithinApplication().value());
        if (path.equals(JoinController.NODE_CREDENTIAL) || path.equals("/version") || path.startsWith("/openapi/")
                || path.equals("/openapi") || isSelfReview(path, exchange.getRequest().getMethod())) {
            return chain.filter(exchange);
        }
        RequestInfo info = RequestInfo.parse(path, registry::isNamespaced);
        if (isDiscovery(path, info)) {
            return chain.filter(exchange);
        }
        return Responses.status(exchange, info == null ? Refusals.forbiddenPath(BOOTSTRAP, path, exchange)
                : Refusals.forbidden(BOOTSTRAP, info, exchange, null));
    }

    /** {@code /api}, {@code /apis}, {@code /apis/GROUP}, {@code /api/v1}, {@code /apis/GROUP/VERSION}: no resource named. */
    private static boolean isDiscovery(String path, RequestInfo info) {
        if (info != null) {
            return info.resource() == null;
        }
        java.util.List<String> parts = RequestInfo.segments(path);
        return parts.size() == 1 && (parts.get(0).equals("api") || parts.get(0).equals("apis"))
                || parts.size() == 2 && parts.get(0).equals("apis");
    }

    private static boolean isSelfReview(String path, HttpMethod method) {
        return method == HttpMethod.POST && (path.equals("/apis/" + SelfReviews.AUTHORIZATION + "/v1/selfsubjectaccessreviews")
                || path.equals("/apis/" + SelfReviews.AUTHORIZATION + "/v1/selfsubjectrulesreviews")
                || path.equals("/apis/" + SelfReviews.AUTHENTICATION + "/v1/selfsubjectreviews"));
    }
}
