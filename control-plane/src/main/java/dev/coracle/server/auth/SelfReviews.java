package dev.coracle.server.auth;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.api.AuthenticatedUser;
import dev.coracle.server.api.Json;
import dev.coracle.server.api.ResourceController;
import dev.coracle.server.api.Responses;
import dev.coracle.server.discovery.AggregatedApis;
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

/**
 * What a caller may ask about itself: {@code authorization.k8s.io/v1} SelfSubjectAccessReviews ({@code kubectl auth
 * can-i}) and SelfSubjectRulesReviews ({@code kubectl auth can-i --list}), {@code authentication.k8s.io/v1}
 * SelfSubjectReviews ({@code kubectl auth whoami}). Coracle authenticates but does not authorize: every authenticated
 * caller may do everything, and the reviews say so, as kube-apiserver says it to a member of system:masters.
 */
@Component
public class SelfReviews {

    static final String AUTHORIZATION = "authorization.k8s.io";
    static final String AUTHENTICATION = "authentication.k8s.io";
    private static final String REASON = "Coracle authorizes every authenticated user";

    public SelfReviews(AggregatedApis apis) {
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
                case "SelfSubjectAccessReview" -> allowed(review);
                case "SelfSubjectRulesReview" -> everything(review);
                default -> whoAmI(review, user);
            }
            return review;
        }).flatMap(review -> Responses.json(exchange, 201, review));
    }

    /** {@code ValidateSelfSubjectAccessReviewSpec}, then allowed. */
    private static void allowed(ObjectNode review) {
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
        review.putObject("status").put("allowed", true).put("reason", REASON);
    }

    /** What cluster-admin's rules look like: every verb on every resource and every non-resource URL. */
    private static void everything(ObjectNode review) {
        ObjectNode status = review.putObject("status");
        ObjectNode rule = status.putArray("resourceRules").addObject();
        rule.putArray("verbs").add("*");
        rule.putArray("apiGroups").add("*");
        rule.putArray("resources").add("*");
        ObjectNode urls = status.putArray("nonResourceRules").addObject();
        urls.putArray("verbs").add("*");
        urls.putArray("nonResourceURLs").add("*");
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
