package dev.coracle.server.auth;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.api.AuthenticatedUser;
import dev.coracle.server.api.Json;
import dev.coracle.server.api.ResourceController;
import dev.coracle.server.api.Responses;
import dev.coracle.server.discovery.AggregatedApis;
import dev.coracle.server.nodeproxy.NodeAccess;
import dev.coracle.server.registry.ResourceType;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Set;

/**
 * What a caller may ask about itself: {@code authorization.k8s.io/v1} SelfSubjectAccessReviews ({@code kubectl auth
 * can-i}) and SelfSubjectRulesReviews ({@code kubectl auth can-i --list}), {@code authentication.k8s.io/v1}
 * SelfSubjectReviews ({@code kubectl auth whoami}). Coracle authenticates but hardly authorizes: every authenticated
 * caller may do everything, as a member of system:masters may on Kubernetes, except that nodes may not reach into pods
 * ({@link NodeAccess}) nor write but what is theirs ({@link NodeAuthorization}), and the join token opens no object
 * ({@link BootstrapAccess}); the reviews say so.
 */
@Component
public class SelfReviews {

    static final String AUTHORIZATION = "authorization.k8s.io";
    static final String AUTHENTICATION = "authentication.k8s.io";
    private static final String REASON = "Coracle authorizes every authenticated user";
    private static final Set<String> SELF_REVIEWS = Set.of("selfsubjectaccessreviews", "selfsubjectrulesreviews", "selfsubjectreviews");
    private static final List<String> BOOTSTRAP_PATHS = List.of("/api", "/api/*", "/apis", "/apis/*", "/openapi", "/openapi/*",
            "/version", "/version/");

    private final NodeAuthorization nodes;

    public SelfReviews(AggregatedApis apis, NodeAuthorization nodes) {
        this.nodes = nodes;
        apis.register(new AggregatedApis.Api(AUTHORIZATION, "v1", List.of(
                new ResourceType(AUTHORIZATION, "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", "", false,
                        List.of(), List.of(), List.of(), SelfSubjectAccessReview.class),
                new ResourceType(AUTHORIZATION, "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews", "", false,
                        List.of(), List.of(), List.of(), SelfSubjectRulesReview.class)),
                (exchange, path) -> create(exchange, path, AUTHORIZATION)));
        apis.register(new AggregatedApis.Api(AUTHENTICATION, "v1", List.of(
                new ResourceType(AUTHENTICATION, "v1", "SelfSubjectReview", "selfsubjectreviews", "", false,
                        List.of(), List.of(), List.of(), SelfSubjectReview.class)),
                (exchange, path) -> create(exchange, path, AUTHENTICATION)));
    }

    private Mono<Void> create(ServerWebExchange exchange, String path, String group) {
        String kind = switch (group + "/" + path) {
            case AUTHORIZATION + "/selfsubjectaccessreviews" -> "SelfSubjectAccessReview";
            case AUTHORIZATION + "/selfsubjectrulesreviews" -> "SelfSubjectRulesReview";
            case AUTHENTICATION + "/selfsubjectreviews" -> "SelfSubjectReview";
            default -> null;
        };
        if (kind == null) {
            return Mono.error(ApiException.pathNotFound());
        }
        if (exchange.getRequest().getMethod() != HttpMethod.POST) {
            return Mono.error(ApiException.methodNotAllowed("the server does not allow this method on the requested resource"));
        }
        String user = exchange.getAttribute(AuthenticatedUser.ATTRIBUTE);
        return ResourceController.body(exchange).map(bytes -> {
            ObjectNode review = bytes.length == 0 ? Json.MAPPER.createObjectNode() : ResourceController.decode(exchange, bytes);
            review.put("kind", kind).put("apiVersion", group + "/v1");
            review.putObject("metadata").putNull("creationTimestamp");
            switch (kind) {
                case "SelfSubjectAccessReview" -> allowed(review, user);
                case "SelfSubjectRulesReview" -> everything(review, user);
                default -> whoAmI(review, user);
            }
            return review;
        }).flatMap(review -> Responses.json(exchange, 201, review));
    }

    /** {@code ValidateSelfSubjectAccessReviewSpec}, then allowed, but for what reaches into pods when a node asks. */
    private void allowed(ObjectNode review, String user) {
        JsonNode spec = review.path("spec");
        boolean resource = spec.hasNonNull("resourceAttributes");
        boolean nonResource = spec.hasNonNull("nonResourceAttributes");
        if (resource == nonResource) {
            FieldError error = resource
                    ? FieldError.invalid("spec.nonResourceAttributes", spec.get("nonResourceAttributes"),
                    "cannot be specified in combination with resourceAttributes")
                    : FieldError.invalid("spec.resourceAttributes", "null", "exactly one of nonResourceAttributes or resourceAttributes must be specified");
            throw ApiException.invalid("SelfSubjectAccessReview." + AUTHORIZATION, "", List.of(error));
        }
        JsonNode attributes = spec.path("resourceAttributes");
        if (BootstrapAccess.BOOTSTRAP.equals(user)) {
            boolean allowed = resource ? SELF_REVIEWS.contains(attributes.path("resource").asString(""))
                    && "create".equals(attributes.path("verb").asString(""))
                    : BOOTSTRAP_PATHS.stream().anyMatch(p -> pathMatches(p, spec.path("nonResourceAttributes").path("path").asString("")));
            review.putObject("status").put("allowed", allowed)
                    .put("reason", allowed ? REASON : "the join token gets a node credential, reads discovery and asks about itself");
            return;
        }
        if (!NodeAccess.isUser(user)
                && NodeAccess.reachesIntoPods(attributes.path("resource").asString(""), attributes.path("subresource").asString(""))) {
            review.putObject("status").put("allowed", false).put("reason", "nodes may not reach into pods through the control plane");
            return;
        }
        if (user.startsWith(NodeAuthorization.NODE_PREFIX) && resource) {
            String why = nodes.refusal(user.substring(NodeAuthorization.NODE_PREFIX.length()), new NodeAuthorization.Request(
                    attributes.path("group").asString(""), attributes.path("resource").asString(""),
                    attributes.path("subresource").asString(""), attributes.path("namespace").asString(""),
                    attributes.path("name").asString(""), attributes.path("verb").asString("")));
            review.putObject("status").put("allowed", why == null).put("reason", why == null ? REASON : why);
            return;
        }
        review.putObject("status").put("allowed", true).put("reason", REASON);
    }

    private static boolean pathMatches(String rule, String path) {
        return rule.endsWith("*") ? path.startsWith(rule.substring(0, rule.length() - 1)) : rule.equals(path);
    }


    /**
     * What cluster-admin's rules look like: every verb on every resource and every non-resource URL; for a node, marked
     * incomplete, as the subresources that reach into pods are refused to it.
     */
    private static void everything(ObjectNode review, String user) {
        ObjectNode status = review.putObject("status");
        if (BootstrapAccess.BOOTSTRAP.equals(user)) {
            bootstrapRules(status);
            return;
        }
        ObjectNode rule = status.putArray("resourceRules").addObject();
        rule.putArray("verbs").add("*");
        rule.putArray("apiGroups").add("*");
        rule.putArray("resources").add("*");
        ObjectNode urls = status.putArray("nonResourceRules").addObject();
        urls.putArray("verbs").add("*");
        urls.putArray("nonResourceURLs").add("*");
        status.put("incomplete", !NodeAccess.isUser(user));
        if (!NodeAccess.isUser(user)) {
            status.put("evaluationError", "a node may write only its Node, its Lease, Events and the status of its pods, and may not "
                    + "reach into pods (pods/log, exec, attach, portforward, proxy, services/proxy)");
        }
    }

    /** What {@link BootstrapAccess} lets the join token do, as system:bootstrappers' and system:basic-user's rules read. */
    private static void bootstrapRules(ObjectNode status) {
        var rules = status.putArray("resourceRules");
        ObjectNode authorization = rules.addObject();
        authorization.putArray("verbs").add("create");
        authorization.putArray("apiGroups").add(AUTHORIZATION);
        authorization.putArray("resources").add("selfsubjectaccessreviews").add("selfsubjectrulesreviews");
        ObjectNode authentication = rules.addObject();
        authentication.putArray("verbs").add("create");
        authentication.putArray("apiGroups").add(AUTHENTICATION);
        authentication.putArray("resources").add("selfsubjectreviews");
        ObjectNode urls = status.putArray("nonResourceRules").addObject();
        urls.putArray("verbs").add("get");
        var paths = urls.putArray("nonResourceURLs");
        BOOTSTRAP_PATHS.forEach(paths::add);
        status.put("incomplete", false);
    }

    private static void whoAmI(ObjectNode review, String user) {
        ObjectNode info = review.putObject("status").putObject("userInfo");
        info.put("username", user);
        var groups = info.putArray("groups");
        groups(user).forEach(groups::add);
    }

    /** The groups kube-apiserver would give these identities. */
    static List<String> groups(String user) {
        if (user.startsWith("system:node:")) {
            return List.of("system:nodes", "system:authenticated");
        }
        if (user.equals("system:node-bootstrap")) {
            return List.of("system:bootstrappers", "system:authenticated");
        }
        return List.of("system:masters", "system:authenticated");
    }
}
