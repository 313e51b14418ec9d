package dev.coracle.server.api;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.nodeproxy.ObjectProxy;
import dev.coracle.server.nodeproxy.PodExec;
import dev.coracle.server.nodeproxy.PodLogs;
import dev.coracle.server.nodeproxy.PodPortForward;
import dev.coracle.server.patch.FieldManager;
import dev.coracle.server.patch.PatchType;
import dev.coracle.server.patch.Patcher;
import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static dev.coracle.server.api.ResourceController.blocking;
import static dev.coracle.server.api.ResourceController.body;

/** The subresources with behaviour of their own: scale, binding, finalize, eviction, the node-proxied log and exec, and proxy. */
@Component
public class Subresources {

    private final ResourceService resources;
    private final PodLogs logs;
    private final PodExec exec;
    private final PodEviction eviction;
    private final ObjectProxy proxy;
    private final PodPortForward portForward;

    public Subresources(ResourceService resources, PodLogs logs, PodExec exec, PodEviction eviction, ObjectProxy proxy,
                        PodPortForward portForward) {
        this.proxy = proxy;
        this.portForward = portForward;
        this.eviction = eviction;
        this.resources = resources;
        this.logs = logs;
        this.exec = exec;
    }

    Mono<Void> serve(Call call, ServerWebExchange exchange) {
        HttpMethod method = exchange.getRequest().getMethod();
        return switch (call.info().subresource()) {
            case "scale" -> scale(call, exchange, method);
            case "binding" -> post(method, () -> body(exchange).flatMap(b -> blocking(() -> bind(call, ResourceController.decode(exchange, b))))
                    .flatMap(s -> Responses.json(exchange, 201, s)));
            case "eviction" -> post(method, () -> body(exchange)
                    .flatMap(b -> blocking(() -> {
                        eviction.evict(withoutSubresource(call), evictionOptions(exchange, b));
                        return success();
                    }))
                    .flatMap(s -> Responses.json(exchange, 201, s)));
            case "finalize" -> method == HttpMethod.PUT
                    ? body(exchange).flatMap(b -> blocking(() -> finalizeNamespace(call, ResourceController.decode(exchange, b))))
                    .flatMap(o -> Responses.json(exchange, 200, o.object()))
                    : Mono.error(ApiException.methodNotAllowed("finalize takes PUT"));
            case "log" -> method == HttpMethod.GET
                    ? logs.serve(call.user(), call.info().namespace(), call.info().name(), call.query(), exchange)
                    : Mono.error(ApiException.methodNotAllowed("log takes GET"));
            case "exec" -> method == HttpMethod.GET || method == HttpMethod.POST
                    ? exec.serve(call.user(), call.info().namespace(), call.info().name(), call.query(), exchange)
                    : Mono.error(ApiException.methodNotAllowed("exec takes GET (WebSocket) or POST"));
            case "portforward" -> method == HttpMethod.GET || method == HttpMethod.POST
                    ? portForward.serve(call.user(), call.info().namespace(), call.info().name(), exchange)
                    : Mono.error(ApiException.methodNotAllowed("portforward takes GET (WebSocket) or POST"));
            case "proxy" -> proxy.serve(call.user(), call.type().plural(), call.info().namespace(), call.info().name(), exchange);
            default -> Mono.error(ApiException.of(404, "NotFound", call.info().subresource() + " is not served for "
                    + call.type().plural()));
        };
    }

    private static Mono<Void> post(HttpMethod method, java.util.function.Supplier<Mono<Void>> action) {
        return method == HttpMethod.POST ? action.get() : Mono.error(ApiException.methodNotAllowed("this subresource takes POST"));
    }

    // ---- scale ------------------------------------------------------------------------------

    private Mono<Void> scale(Call call, ServerWebExchange exchange, HttpMethod method) {
        Call main = withoutSubresource(call);
        if (method == HttpMethod.GET) {
            return blocking(() -> toScale(resources.get(main))).flatMap(s -> Responses.json(exchange, 200, s));
        }
        if (method == HttpMethod.PUT) {
            return body(exchange).flatMap(b -> blocking(() -> {
                ObjectNode wanted = ResourceController.decode(exchange, b);
                return setReplicas(main, current -> wanted);
            })).flatMap(s -> Responses.json(exchange, 200, s));
        }
        if (method == HttpMethod.PATCH) {
            String contentType = exchange.getRequest().getHeaders().getFirst("Content-Type");
            PatchType kind = PatchType.fromContentType(contentType);
            if (kind == PatchType.APPLY_PATCH) {
                return Mono.error(ApiException.unsupportedMediaType(contentType));
            }
            return body(exchange).flatMap(b -> blocking(() -> setReplicas(main,
                            current -> Patcher.patch(kind, current, b, call.type()))))
                    .flatMap(s -> Responses.json(exchange, 200, s));
        }
        return Mono.error(ApiException.methodNotAllowed("scale takes GET, PUT or PATCH"));
    }

    private ObjectNode setReplicas(Call main, Function<ObjectNode, ObjectNode> change) {
        List<String> warnings = new ArrayList<>();
        ResourceService.Outcome outcome = resources.replace(main, current -> {
            ObjectNode scale = toScale(Json.toTree(current));
            ObjectNode wanted = change.apply(scale);
            JsonNode replicas = wanted.path("spec").path("replicas");
            String rv = wanted.path("metadata").path("resourceVersion").asString("");
            if (!rv.isEmpty() && !rv.equals(current.getMetadata().getResourceVersion())) {
                throw ApiException.conflict(main.type().group(), main.type().plural(), main.info().name(),
                        "the object has been modified; please apply your changes to the latest version and try again");
            }
            if (!replicas.isIntegralNumber() && !replicas.isMissingNode()) {
                throw ApiException.badRequest("spec.replicas: must be an integer");
            }
            int n = replicas.isMissingNode() ? 0 : replicas.asInt();
            if (n < 0) {
                throw ApiException.invalid("Scale.autoscaling", main.info().name(),
                        List.of(FieldError.invalid("spec.replicas", n, "must be greater than or equal to 0")));
            }
            ObjectNode tree = Json.toTree(current);
            ((ObjectNode) tree.get("spec")).put("replicas", n);
            return Json.toTyped(tree, main.type().modelClass());
        }, warnings, false, FieldManager.managerFor(main.query().get("fieldManager"), main.userAgent()));
        return toScale(outcome.object());
    }

    static ObjectNode toScale(ObjectNode object) {
        ObjectNode meta = (ObjectNode) object.get("metadata");
        Scale scale = new Scale();
        scale.setApiVersion("autoscaling/v1");
        scale.setKind("Scale");
        scale.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withName(meta.path("name").asString(null)).withNamespace(meta.path("namespace").asString(null))
                .withUid(meta.path("uid").asString(null)).withResourceVersion(meta.path("resourceVersion").asString(null))
                .withCreationTimestamp(meta.path("creationTimestamp").asString(null)).build());
        scale.setSpec(new io.fabric8.kubernetes.api.model.autoscaling.v1.ScaleSpec(object.path("spec").path("replicas").asInt(1)));
        LabelSelector selector = Json.toTyped(object.path("spec").path("selector"), LabelSelector.class);
        String selectorText = selector == null || selector.getMatchLabels() == null ? "" : String.join(",",
                selector.getMatchLabels().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        scale.setStatus(new io.fabric8.kubernetes.api.model.autoscaling.v1.ScaleStatus(
                object.path("status").path("replicas").asInt(0), selectorText));
        return Json.toTree(scale);
    }

    // ---- binding ----------------------------------------------------------------------------

    private Object bind(Call call, ObjectNode body) {
        body.remove("kind");
        body.remove("apiVersion");
        Binding binding = Json.toTyped(body, Binding.class);
        if (binding.getTarget() == null || binding.getTarget().getName() == null || binding.getTarget().getName().isEmpty()) {
            throw ApiException.invalid("Binding", call.info().name(), List.of(FieldError.required("target.name")));
        }
        resources.bind(call, binding);
        return success();
    }

    /** The Eviction's {@code deleteOptions} (grace period, preconditions), as kubectl drain sends them. */
    private static io.fabric8.kubernetes.api.model.DeleteOptions evictionOptions(ServerWebExchange exchange, byte[] body) {
        if (body.length == 0) {
            return new io.fabric8.kubernetes.api.model.DeleteOptions();
        }
        JsonNode options = ResourceController.decode(exchange, body).path("deleteOptions");
        return options.isObject() ? Json.toTyped(options, io.fabric8.kubernetes.api.model.DeleteOptions.class)
                : new io.fabric8.kubernetes.api.model.DeleteOptions();
    }

    private static io.fabric8.kubernetes.api.model.Status success() {
        io.fabric8.kubernetes.api.model.Status s = new StatusBuilder().withStatus("Success").withCode(201).withNewMetadata().endMetadata().build();
        s.setKind("Status");
        s.setApiVersion("v1");
        return s;
    }

    // ---- finalize ---------------------------------------------------------------------------

    private ResourceService.Outcome finalizeNamespace(Call call, ObjectNode body) {
        JsonNode finalizers = body.path("spec").path("finalizers");
        return resources.replace(withoutSubresource(call), current -> {
            ObjectNode tree = Json.toTree(current);
            ObjectNode spec = tree.has("spec") ? (ObjectNode) tree.get("spec") : tree.putObject("spec");
            if (finalizers.isMissingNode() || finalizers.isNull()) {
                spec.remove("finalizers");
            } else {
                spec.set("finalizers", finalizers);
            }
            return (HasMetadata) Json.toTyped(tree, call.type().modelClass());
        }, new ArrayList<>(), true, null);
    }

    private static Call withoutSubresource(Call call) {
        RequestInfo i = call.info();
        return new Call(new RequestInfo(i.group(), i.version(), i.namespace(), i.resource(), i.name(), null, false),
                call.strategy(), call.query(), call.user(), call.userAgent());
    }
}
