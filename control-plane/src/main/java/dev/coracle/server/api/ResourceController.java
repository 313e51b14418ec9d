package dev.coracle.server.api;

import dev.coracle.server.api.protobuf.ProtobufDecoder;
import dev.coracle.server.discovery.AggregatedApis;
import dev.coracle.server.discovery.Discovery;
import dev.coracle.server.registry.Registry;
import dev.coracle.server.registry.ResourceStrategy;
import dev.coracle.server.store.ObjectKey;
import dev.coracle.server.store.ObjectStore;
import dev.coracle.server.store.StoreExceptions;
import dev.coracle.server.store.StoredObject;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpMethod;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebHandler;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Every {@code /api/...} and {@code /apis/...} request: resolves what the path names and hands it to
 * the verb. Store work is blocking JDBC, so it runs off the event loop.
 *
 * <p>A plain {@link WebHandler} mapped by {@link #apiPaths}, not an annotated controller: every API request
 * would otherwise pay for Spring's handler-method argument resolution, and this handler reads the exchange itself.
 */
@Component
public class ResourceController implements WebHandler {

    /** {@code /api} and {@code /apis} and everything under them, before the annotated controllers' mappings. */
    @Configuration(proxyBeanMethods = false)
    static class Routes {
        @Bean
        SimpleUrlHandlerMapping apiPaths(ResourceController api) {
            SimpleUrlHandlerMapping mapping = new SimpleUrlHandlerMapping(
                    Map.of("/api", api, "/api/**", api, "/apis", api, "/apis/**", api));
            mapping.setOrder(Ordered.HIGHEST_PRECEDENCE);
            return mapping;
        }
    }

    /** kube-apiserver's limit on request bodies. */
    static final int MAX_BODY = 3 * 1024 * 1024;

    private final Registry registry;
    private final ResourceService resources;
    private final Discovery discovery;
    private final Watches watches;
    private final Subresources subresources;
    private final AggregatedApis aggregatedApis;

    public ResourceController(Registry registry, ResourceService resources, Discovery discovery, Watches watches,
                              Subresources subresources, AggregatedApis aggregatedApis) {
        this.aggregatedApis = aggregatedApis;
        this.registry = registry;
        this.resources = resources;
        this.discovery = discovery;
        this.watches = watches;
        this.subresources = subresources;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        try {
            Mono<Void> discovered = discovery.serve(path, exchange);
            if (discovered != null) {
                return discovered;
            }
            Mono<Void> aggregated = aggregatedApis.serve(path, exchange);
            if (aggregated != null) {
                return aggregated.onErrorResume(e -> Responses.status(exchange, Errors.toApi(e)));
            }
            RequestInfo info = RequestInfo.parse(path, registry::isNamespaced);
            if (info == null || info.resource() == null) {
                throw ApiException.pathNotFound();
            }
            ResourceStrategy<HasMetadata> strategy = registry.find(info.group(), info.version(), info.resource())
                    .orElseThrow(ApiException::pathNotFound);
            if (info.namespace() != null && !strategy.type().namespaced()) {
                throw ApiException.pathNotFound();
            }
            if (info.subresource() != null && !strategy.type().hasSubresource(info.subresource())) {
                throw ApiException.pathNotFound();
            }
            Call call = new Call(info, strategy, new Query(exchange.getRequest().getQueryParams()),
                    exchange.getAttribute(AuthenticatedUser.ATTRIBUTE), exchange.getRequest().getHeaders().getFirst("User-Agent"));
            if ("proxy".equals(info.subresource())) {
                // the request is the target's: its method, Accept and query are not the API's to check
                return subresources.serve(call, exchange).onErrorResume(e -> Responses.status(exchange, Errors.toApi(e)));
            }
            requireAcceptable(exchange.getRequest().getHeaders().getFirst("Accept"));
            return dispatch(call, exchange).onErrorResume(e -> Responses.status(exchange, Errors.toApi(e)));
        } catch (RuntimeException e) {
            return Responses.status(exchange, Errors.toApi(e));
        }
    }

    private Mono<Void> dispatch(Call call, ServerWebExchange exchange) {
        HttpMethod method = exchange.getRequest().getMethod();
        RequestInfo info = call.info();
        boolean collection = info.name() == null;
        if (info.legacyWatchPath() || (method == HttpMethod.GET && call.query().flag("watch"))) {
            if (method != HttpMethod.GET) {
                throw ApiException.methodNotAllowed("watch needs GET");
            }
            return watches.serve(call, exchange);
        }
        String optionsKind = method == HttpMethod.POST ? "CreateOptions" : method == HttpMethod.PUT ? "UpdateOptions"
                : method == HttpMethod.PATCH ? "PatchOptions" : null;
        if (optionsKind != null) {
            Options.validateWrite(optionsKind, call.query());
        }
        if (info.subresource() != null && !"status".equals(info.subresource())) {
            return subresources.serve(call, exchange);
        }
        if (collection) {
            if (method == HttpMethod.GET) {
                Options.validateList(call.query());
                return blocking(() -> list(call, exchange)).flatMap(r -> r);
            }
            if (method == HttpMethod.POST) {
                if (call.type().namespaced() && info.namespace() == null) {
                    throw ApiException.methodNotAllowed("create needs a namespace in the path for " + call.type().plural());
                }
                // decoded on the event loop; the rest there too unless it may block; the commit awaited without a thread
                return body(exchange).flatMap(bytes -> Mono.defer(() -> Mono.fromFuture(resources.createAsync(call, requestBody(exchange, bytes)))))
                        .flatMap(o -> Responses.json(exchange, 201, o.body(), o.warnings()));
            }
            if (method == HttpMethod.DELETE) {
                if (!call.type().verbs().contains("deletecollection")) {
                    throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
                }
                return body(exchange).flatMap(bytes -> blocking(() -> deleteCollection(call, options(exchange, bytes))))
                        .flatMap(list -> Responses.json(exchange, 200, list));
            }
            throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
        }
        if (method == HttpMethod.GET) {
            return blocking(() -> resources.get(call)).flatMap(o -> respondObject(call, exchange, o));
        }
        if (method == HttpMethod.PUT) {
            return body(exchange).flatMap(bytes -> blocking(() -> resources.update(call, requestBody(exchange, bytes))))
                    .flatMap(o -> Responses.json(exchange, o.created() ? 201 : 200, o.body(), o.warnings()));
        }
        if (method == HttpMethod.PATCH) {
            String contentType = exchange.getRequest().getHeaders().getFirst("Content-Type");
            dev.coracle.server.patch.PatchType.fromContentType(contentType);
            return body(exchange).flatMap(bytes -> blocking(() -> resources.patch(call, contentType, bytes)))
                    .flatMap(o -> Responses.json(exchange, o.created() ? 201 : 200, o.body(), o.warnings()));
        }
        if (method == HttpMethod.DELETE && info.subresource() == null) {
            refuseImmortalNamespace(call);
            return body(exchange).flatMap(bytes -> blocking(() -> resources.delete(call, options(exchange, bytes))))
                    .flatMap(o -> Responses.json(exchange, 200, o.object()));
        }
        throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
    }

    private Mono<Void> respondObject(Call call, ServerWebExchange exchange, ObjectNode object) {
        String accept = exchange.getRequest().getHeaders().getFirst("Accept");
        if (Tables.wanted(accept)) {
            return Responses.json(exchange, 200, Tables.table(call.strategy(), List.of(object), null, null, true,
                    call.query().get("includeObject")));
        }
        return Responses.json(exchange, 200, object);
    }

    private Mono<Void> list(Call call, ServerWebExchange exchange) {
        int limit = call.query().number("limit") == null ? 0 : call.query().number("limit").intValue();
        Continuation token = Continuation.decode(call.query().get("continue"));
        ObjectKey after = token == null ? null : token.after();
        // a continued list's later pages show the state of its first page, as etcd serves them from its revision
        Long exact = token != null ? Long.valueOf(token.revision()) : exactRevision(call);
        ObjectStore.Page page;
        try {
            page = exact != null && exact < resources.currentRevision()
                    ? resources.listAt(call, exact, limit, after) : resources.list(call, limit, after);
            if (exact != null && page.revision() > exact) {
                // written to between the two reads: the revision asked for is an older one now
                page = resources.listAt(call, exact, limit, after);
            }
        } catch (StoreExceptions.Compacted e) {
            if (token != null) {
                throw ApiException.gone("The provided continue parameter is too old to display a consistent list result. You can start "
                        + "a new list without the continue parameter.");
            }
            throw e;
        }
        checkResourceVersion(call, page.revision());
        String rv = Long.toString(page.revision());
        String next = page.continueAfter() == null ? null : new Continuation(page.continueAfter(), page.revision()).encode();
        String accept = exchange.getRequest().getHeaders().getFirst("Accept");
        if (Tables.wanted(accept)) {
            List<ObjectNode> objects = new ArrayList<>(page.items().size());
            for (StoredObject o : page.items()) {
                objects.add(Json.parseStored(o.body()));
            }
            return Responses.json(exchange, 200, Tables.table(call.strategy(), objects, rv, next, true, call.query().get("includeObject")));
        }
        StringBuilder out = new StringBuilder(64 + page.items().size() * 1024);
        out.append("{\"kind\":\"").append(call.type().kind()).append("List\",\"apiVersion\":\"").append(call.type().apiVersion())
                .append("\",\"metadata\":{\"resourceVersion\":\"").append(rv).append('"');
        if (next != null) {
            out.append(",\"continue\":\"").append(next).append('"');
        }
        out.append("},\"items\":[");
        for (int i = 0; i < page.items().size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(page.items().get(i).body());
        }
        out.append("]}");
        if (accept != null && accept.startsWith("application/yaml")) {
            return Responses.json(exchange, 200, Json.parseStored(out.toString()));
        }
        return Responses.json(exchange, 200, out.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code resourceVersion} and {@code resourceVersionMatch} on a list: the store's newest state satisfies
     * NotOlderThan (and the unset match, "any revision not older"); Exact of an older revision is rebuilt from the
     * revision log, as etcd serves it from its history, or refused as too old (410) once compacted. A revision the
     * store has not reached yet is a 504, as kube-apiserver's wait for a fresh enough cache times out.
     */
    private static void checkResourceVersion(Call call, long current) {
        Long requested = requestedRevision(call);
        if (requested != null && requested > current) {
            throw ApiException.of(504, "Timeout", "Timeout: Too large resource version: " + requested + ", current: " + current);
        }
    }

    /** The revision a list must reflect exactly ({@code resourceVersionMatch=Exact}), or null. */
    private static Long exactRevision(Call call) {
        return "Exact".equals(call.query().get("resourceVersionMatch")) ? requestedRevision(call) : null;
    }

    private static Long requestedRevision(Call call) {
        String rv = call.query().get("resourceVersion");
        if (rv == null || rv.equals("0")) {
            return null;
        }
        try {
            return Long.parseLong(rv);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("resourceVersion: Invalid value: \"" + rv + "\": must be a non-negative integer");
        }
    }

    private ObjectNode deleteCollection(Call call, DeleteOptions options) {
        ObjectStore.Page page = resources.list(call, 0, null);
        List<ObjectNode> deleted = new ArrayList<>();
        for (StoredObject o : page.items()) {
            Call one = new Call(new RequestInfo(call.info().group(), call.info().version(),
                    o.key().namespace().isEmpty() ? null : o.key().namespace(), call.info().resource(), o.key().name(), null, false),
                    call.strategy(), call.query(), call.user(), call.userAgent());
            try {
                deleted.add(resources.delete(one, options).object());
            } catch (ApiException e) {
                if (e.code() != 404) {
                    throw e;
                }
            }
        }
        ObjectNode list = Json.MAPPER.createObjectNode();
        list.put("kind", call.type().kind() + "List");
        list.put("apiVersion", call.type().apiVersion());
        list.putObject("metadata").put("resourceVersion", Long.toString(page.revision()));
        list.putArray("items").addAll(deleted);
        return list;
    }

    static DeleteOptions options(ServerWebExchange exchange, byte[] bytes) {
        DeleteOptions options;
        if (bytes.length == 0) {
            options = new DeleteOptions();
        } else {
            ObjectNode tree = decode(exchange, bytes);
            tree.remove("kind");
            tree.remove("apiVersion");
            options = Json.toTyped(tree, DeleteOptions.class);
        }
        Options.validateDelete(new Query(exchange.getRequest().getQueryParams()), options);
        return options;
    }

    /** kube-apiserver's NamespaceLifecycle admission: default, kube-system and kube-public may not be deleted. */
    private static void refuseImmortalNamespace(Call call) {
        if (call.type().group().isEmpty() && call.type().plural().equals("namespaces") && IMMORTAL_NAMESPACES.contains(call.info().name())) {
            ApiException e = ApiException.forbidden("namespaces \"" + call.info().name() + "\" is forbidden: this namespace may not be deleted");
            e.status().setDetails(new io.fabric8.kubernetes.api.model.StatusDetailsBuilder()
                    .withName(call.info().name()).withKind("namespaces").build());
            throw e;
        }
    }

    private static final java.util.Set<String> IMMORTAL_NAMESPACES = java.util.Set.of("default", "kube-system", "kube-public");

    /** The types a response can be written in; an Accept naming none of them is a 406, as kube-apiserver's negotiation. */
    private static final java.util.Set<String> ACCEPTABLE = java.util.Set.of("*/*", "application/*", "application/json",
            "application/yaml", "application/vnd.kubernetes.protobuf", "application/json-seq");

    static void requireAcceptable(String accept) {
        if (accept == null || accept.isBlank()) {
            return;
        }
        for (String range : accept.split(",")) {
            String type = range.split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
            if (type.isEmpty() || ACCEPTABLE.contains(type)) {
                return;
            }
        }
        throw ApiException.notAcceptable("only the following media types are accepted: application/json, application/yaml, "
                + "application/vnd.kubernetes.protobuf");
    }

    /** A create or update body; its bytes kept for strict decoding unless it is protobuf, which cannot repeat a field by name. */
    static RequestBody requestBody(ServerWebExchange exchange, byte[] bytes) {
        ObjectNode tree = decode(exchange, bytes);
        String type = mediaType(exchange);
        boolean yaml = YAML_TYPES.contains(type);
        return new RequestBody(tree, yaml || JSON_TYPES.contains(type) ? bytes : null, yaml);
    }

    private static final java.util.Set<String> JSON_TYPES = java.util.Set.of("application/json", "");
    private static final java.util.Set<String> YAML_TYPES = java.util.Set.of("application/yaml", "application/x-yaml", "text/yaml");

    private static String mediaType(ServerWebExchange exchange) {
        String contentType = exchange.getRequest().getHeaders().getFirst("Content-Type");
        return contentType == null ? "application/json" : contentType.split(";")[0].trim().toLowerCase();
    }

    /** JSON, YAML or Kubernetes protobuf, by Content-Type; anything else is a 415. */
    public static ObjectNode decode(ServerWebExchange exchange, byte[] bytes) {
        String contentType = exchange.getRequest().getHeaders().getFirst("Content-Type");
        return switch (mediaType(exchange)) {
            case "application/json", "" -> Json.parseObject(bytes);
            case "application/yaml", "application/x-yaml", "text/yaml" -> Json.parseYamlObject(bytes);
            case "application/vnd.kubernetes.protobuf" -> ProtobufDecoder.decode(bytes);
            default -> throw ApiException.unsupportedMediaType(contentType);
        };
    }

    public static Mono<byte[]> body(ServerWebExchange exchange) {
        String length = exchange.getRequest().getHeaders().getFirst("Content-Length");
        if (length != null && Long.parseLong(length) > MAX_BODY) {
            return Mono.error(ApiException.tooLarge("Request entity too large: limit is " + MAX_BODY));
        }
        return DataBufferUtils.join(exchange.getRequest().getBody(), MAX_BODY)
                .map(buffer -> {
                    byte[] bytes = new byte[buffer.readableByteCount()];
                    buffer.read(bytes);
                    DataBufferUtils.release(buffer);
                    return bytes;
                })
                .defaultIfEmpty(new byte[0])
                .onErrorMap(DataBufferLimitException.class, e -> ApiException.tooLarge("Request entity too large: limit is " + MAX_BODY));
    }

    static <T> Mono<T> blocking(Callable<T> work) {
        return Mono.fromCallable(work).subscribeOn(Schedulers.boundedElastic());
    }

    /** Opaque continue tokens: where the last page stopped, and the revision of the first page, which the next ones show. */
    record Continuation(ObjectKey after, long revision) {

        String encode() {
            String raw = revision + "\n" + after.namespace() + "\n" + after.name();
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        static Continuation decode(String token) {
            if (token == null) {
                return null;
            }
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split("\n", -1);
                return new Continuation(new ObjectKey("", parts[1], parts[2]), Long.parseLong(parts[0]));
            } catch (RuntimeException e) {
                throw ApiException.badRequest("continue key is not valid: " + e.getMessage());
            }
        }
    }
}
