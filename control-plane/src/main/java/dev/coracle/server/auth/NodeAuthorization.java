package dev.coracle.server.auth;

import dev.coracle.server.api.AuthenticatedUser;
import dev.coracle.server.api.Json;
import dev.coracle.server.api.RequestInfo;
import dev.coracle.server.api.Responses;
import dev.coracle.server.registry.Registry;
import dev.coracle.server.registry.core.PodReferences;
import dev.coracle.server.selector.Attributes;
import dev.coracle.server.store.ObjectKey;
import dev.coracle.server.store.ObjectStore;
import dev.coracle.server.store.StoredObject;
import io.fabric8.kubernetes.api.model.Pod;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.util.Set;
import java.util.function.Predicate;

/**
 * What a node's credential may do, after Kubernetes' Node authorizer and NodeRestriction admission: write its own
 * Node (and its status), its own Lease in kube-node-lease, Events, the status and deletion of the pods bound to it,
 * and the self reviews; read a Secret, ConfigMap or PersistentVolumeClaim only by name and only when a pod bound to
 * it refers to it (the authorizer's graph: node ← pod ← secret). Other reads stay open (Services, Nodes, its pods).
 * Every refusal is a 403 naming why; what reaches into pods is refused elsewhere ({@code NodeAccess}).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 21)
public class NodeAuthorization implements WebFilter {

    static final String NODE_PREFIX = "system:node:";
    private static final Set<String> READS = Set.of("get", "list", "watch");
    /** Read only through a pod bound to the node. */
    private static final Set<String> THROUGH_PODS = Set.of("secrets", "configmaps", "persistentvolumeclaims");

    private final Registry registry;
    private final ObjectStore store;

    public NodeAuthorization(Registry registry, ObjectStore store) {
        this.registry = registry;
        this.store = store;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String user = exchange.getAttribute(AuthenticatedUser.ATTRIBUTE);
        if (user == null || !user.startsWith(NODE_PREFIX)) {
            return chain.filter(exchange);
        }
        String node = user.substring(NODE_PREFIX.length());
        String path = RequestInfo.withoutTrailingSlashes(exchange.getRequest().getPath().pathWithinApplication().value());
        RequestInfo info = RequestInfo.parse(path, registry::isNamespaced);
        if (info == null || info.resource() == null) {
            return chain.filter(exchange);
        }
        String verb = Refusals.verb(info, exchange);
        Request request = new Request(info.group(), info.resource(), info.subresource(), info.namespace(),
                nameOf(info, verb, exchange.getRequest().getQueryParams().getFirst("fieldSelector")), verb);
        if (request.needsStore()) {
            // the pods are read from the store: off the event loop
            return Mono.fromCallable(() -> java.util.Optional.ofNullable(refusal(node, request))).subscribeOn(Schedulers.boundedElastic())
                    .flatMap(why -> why.isEmpty() ? chain.filter(exchange) : refuse(user, info, exchange, why.get()));
        }
        String why = refusal(node, request);
        return why == null ? chain.filter(exchange) : refuse(user, info, exchange, why);
    }

    /** The object a request names: its path's, or for a list or watch one {@code metadata.name} field selector's, as Kubernetes'. */
    static String nameOf(RequestInfo info, String verb, String fieldSelector) {
        if (info.name() != null && !info.name().isEmpty() || fieldSelector == null || !(verb.equals("list") || verb.equals("watch"))) {
            return info.name();
        }
        String selector = fieldSelector.strip();
        for (String prefix : new String[]{"metadata.name==", "metadata.name="}) {
            if (selector.startsWith(prefix) && !selector.contains(",")) {
                return selector.substring(prefix.length());
            }
        }
        return info.name();
    }

    /** A request as authorization sees it (empty strings or null for what it does not name). */
    record Request(String group, String resource, String subresource, String namespace, String name, String verb) {

        boolean needsStore() {
            return onPodOfSomeNode() || readThroughPods();
        }

        boolean readThroughPods() {
            return group.isEmpty() && THROUGH_PODS.contains(resource) && READS.contains(verb);
        }

        /** A pod's status written or the pod deleted: allowed when the pod is bound to the node asking. */
        boolean onPodOfSomeNode() {
            if (!group.isEmpty() || !"pods".equals(resource) || name == null || name.isEmpty()) {
                return false;
            }
            boolean statusWrite = "status".equals(subresource) && (verb.equals("update") || verb.equals("patch"));
            boolean deletion = (subresource == null || subresource.isEmpty()) && verb.equals("delete");
            return statusWrite || deletion;
        }
    }

    /** Why {@code node} may not make the request, or null when it may; reads the store for a pod's node. */
    String refusal(String node, Request r) {
        if (READS.contains(r.verb())) {
            return r.readThroughPods() ? readRefusal(node, r) : null;
        }
        boolean named = r.name() != null && !r.name().isEmpty();
        return switch (r.group() + "/" + r.resource()) {
            case "/nodes" -> !named || r.name().equals(node) ? null : "node '" + node + "' cannot modify node '" + r.name() + "'";
            case "coordination.k8s.io/leases" -> "kube-node-lease".equals(r.namespace()) && (!named || r.name().equals(node))
                    ? null : "can only access node lease with the same name as the requesting node";
            case "/events", "events.k8s.io/events" -> null;
            // asking about itself, as system:basic-user lets every authenticated user
            case "authorization.k8s.io/selfsubjectaccessreviews", "authorization.k8s.io/selfsubjectrulesreviews",
                 "authentication.k8s.io/selfsubjectreviews" -> null;
            case "/pods" -> r.onPodOfSomeNode() && boundTo(r.namespace(), r.name(), node) ? null
                    : "can only update the status of or delete pods bound to node '" + node + "'";
            default -> "a node may write only its Node, its Lease, Events and its pods' status";
        };
    }

    /** {@code authorizeReadNamespacedObject}: one named object of a namespace, referred to by a pod bound to the node. */
    private String readRefusal(String node, Request r) {
        if (r.subresource() != null && !r.subresource().isEmpty()) {
            return "cannot read subresource";
        }
        if (r.namespace() == null || r.namespace().isEmpty()) {
            return "can only read namespaced object of this type";
        }
        if (r.name() == null || r.name().isEmpty()) {
            return "No Object name found";
        }
        return referredToByPodOf(node, r.namespace(), r.resource(), r.name()) ? null
                : "no relationship found between node '" + node + "' and this object";
    }

    private boolean referredToByPodOf(String node, String namespace, String resource, String name) {
        Predicate<StoredObject> onNode = o -> node.equals(Attributes.decode(o.attrs()).fields().get("spec.nodeName"));
        return store.list("pods", namespace, null, "", onNode, 0).items().stream()
                .map(o -> Json.readStoredWithoutManagedFields(o.body(), Pod.class))
                .anyMatch(pod -> PodReferences.of(pod.getSpec(), resource).contains(name));
    }

    /** Whether the pod is bound to the node; a pod that is gone counts as its, so that the API answers 404 as to anyone. */
    private boolean boundTo(String namespace, String name, String node) {
        return store.get(new ObjectKey("pods", namespace, name))
                .map(o -> node.equals(Attributes.decode(o.attrs()).fields().get("spec.nodeName")))
                .orElse(true);
    }

    private static Mono<Void> refuse(String user, RequestInfo info, ServerWebExchange exchange, String why) {
        return Responses.status(exchange, Refusals.forbidden(user, info, exchange, why));
    }
}
