package dev.coracle.server.api;

import dev.coracle.server.bootstrap.ServerProperties;
import dev.coracle.server.store.ObjectStore;
import dev.coracle.server.store.RevisionRecord.EventType;
import dev.coracle.server.store.StoreExceptions;
import dev.coracle.server.store.StoredObject;
import dev.coracle.server.watch.WatchCache;
import dev.coracle.server.watch.WatchFilter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code ?watch=1}: a stream of {@code {"type":...,"object":...}} lines, flushed one by one. Without a
 * resourceVersion (or with "0") the stream starts with the current objects as ADDED events, as
 * kube-apiserver's does; with one, it resumes after it, or tells 410 Expired in an ERROR event.
 */
@Component
public class Watches {

    private final WatchCache cache;
    private final ResourceService resources;
    private final ServerProperties properties;
    private final HandshakeWebSocketService websockets = new HandshakeWebSocketService();

    public Watches(WatchCache cache, ResourceService resources, ServerProperties properties, MeterRegistry meters) {
        this.cache = cache;
        this.resources = resources;
        this.properties = properties;
        meters.gauge("apiserver_registered_watchers", cache, WatchCache::watcherCount);
    }

    Mono<Void> serve(Call named, ServerWebExchange exchange) {
        Call call = named.info().name() == null ? named : onlyNamed(named);
        ResourceService.Selectors selectors = resources.selectors(call);
        String namespace = call.type().namespaced() ? call.info().namespace() : null;
        WatchFilter filter = new WatchFilter(call.type().storageKey(), namespace, selectors.labels(), selectors.fields());
        String rv = call.query().get("resourceVersion");
        boolean initialEvents = rv == null || rv.equals("0") || call.query().flag("sendInitialEvents");
        boolean bookmarks = call.query().flag("allowWatchBookmarks");
        boolean table = Tables.wanted(exchange.getRequest().getHeaders().getFirst("Accept"));
        Long timeoutSeconds = call.query().number("timeoutSeconds");
        Duration timeout = timeoutSeconds != null ? Duration.ofSeconds(timeoutSeconds) : properties.watch().maxTimeout();
        long from = parseRevision(rv);

        Flux<byte[]> events = Mono.fromCallable(() -> initialEvents ? java.util.Optional.of(resources.list(call, 0, null))
                        : java.util.Optional.<ObjectStore.Page>empty())
                .subscribeOn(Schedulers.boundedElastic())
                .flatMapMany(snapshot -> {
                    ObjectStore.Page page = snapshot.orElse(null);
                    long start = page != null ? page.revision() : from;
                    Flux<byte[]> initial = page == null ? Flux.empty() : Flux.fromIterable(page.items())
                            .map(o -> frame(EventType.ADDED.name(), o.body()));
                    if (page != null && call.query().flag("sendInitialEvents") && bookmarks) {
                        initial = initial.concatWith(Mono.fromSupplier(() -> bookmark(call, start, true)));
                    }
                    Flux<byte[]> live = cache.watch(filter, start).map(WatchCache.Delivery::frame);
                    return initial.concatWith(live);
                })
                .onErrorResume(StoreExceptions.Compacted.class, e -> Flux.just(expired(from, e)));
        if (bookmarks) {
            Flux<byte[]> ticks = Flux.interval(properties.watch().bookmarkInterval()).map(i -> bookmark(call, cache.revision(), false));
            events = events.mergeWith(ticks);
        }
        if (table) {
            AtomicBoolean first = new AtomicBoolean(true);
            events = events.map(frame -> asTable(call, frame, first.getAndSet(false)));
        }
        events = events.take(timeout);
        if ("websocket".equalsIgnoreCase(exchange.getRequest().getHeaders().getUpgrade())) {
            Flux<byte[]> stream = events;
            return websockets.handleRequest(exchange, session -> session.send(stream.map(bytes -> session.textMessage(
                    new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8)))));
        }
        ServerHttpResponse response = exchange.getResponse();
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        response.getHeaders().set("Transfer-Encoding", "chunked");
        response.getHeaders().set("Cache-Control", "no-cache, private");
        // an empty first chunk sends the headers at once, as kube-apiserver does, so clients know the watch is open
        Flux<Mono<DataBuffer>> chunks = Flux.concat(Flux.just(Mono.just(response.bufferFactory().wrap(new byte[0]))),
                events.map(bytes -> Mono.just(response.bufferFactory().wrap(bytes))));
        return response.writeAndFlushWith(chunks);
    }

    /** A watch on one object ({@code /watch/.../pods/web}) is the collection's watch narrowed to that name. */
    private static Call onlyNamed(Call call) {
        var params = new org.springframework.util.LinkedMultiValueMap<>(call.query().params());
        String existing = call.query().get("fieldSelector");
        String byName = "metadata.name=" + call.info().name();
        params.set("fieldSelector", existing == null ? byName : existing + "," + byName);
        RequestInfo i = call.info();
        return new Call(new RequestInfo(i.group(), i.version(), i.namespace(), i.resource(), null, null, i.legacyWatchPath()),
                call.strategy(), new Query(params), call.user(), call.userAgent());
    }

    private static long parseRevision(String rv) {
        if (rv == null || rv.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(rv);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid resource version: " + rv);
        }
    }

    private static byte[] frame(String type, String body) {
        return ("{\"type\":\"" + type + "\",\"object\":" + body + "}\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bookmark(Call call, long revision, boolean initialEventsEnd) {
        String annotations = initialEventsEnd ? ",\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}" : "";
        return frame("BOOKMARK", "{\"kind\":\"" + call.type().kind() + "\",\"apiVersion\":\"" + call.type().apiVersion()
                + "\",\"metadata\":{\"resourceVersion\":\"" + revision + "\"" + annotations + "}}");
    }

    private static byte[] expired(long requested, StoreExceptions.Compacted e) {
        ApiException gone = ApiException.gone("too old resource version: " + requested + " (" + (e.compactedRevision() + 1) + ")");
        gone.status().setKind("Status");
        gone.status().setApiVersion("v1");
        return frame("ERROR", Json.write(gone.status()));
    }

    private static byte[] asTable(Call call, byte[] frame, boolean withColumns) {
        ObjectNode event = Json.parseObject(frame);
        String type = event.get("type").asString();
        if (type.equals("ERROR") || type.equals("BOOKMARK")) {
            return frame;
        }
        ObjectNode table = Tables.table(call.strategy(), List.of((ObjectNode) event.get("object")), null, null, withColumns,
                call.query().get("includeObject"));
        event.set("object", table);
        return (Json.write(event) + "\n").getBytes(StandardCharsets.UTF_8);
    }

}
