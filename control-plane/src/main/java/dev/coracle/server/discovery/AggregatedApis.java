package dev.coracle.server.discovery;

import dev.coracle.server.api.RequestInfo;
import dev.coracle.server.registry.ResourceType;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Group-versions served by a component of their own rather than from the store — what kube-aggregator's
 * APIServices do for {@code metrics.k8s.io}: discovery lists their resources beside the stored ones,
 * and every request under {@code /apis/GROUP/VERSION/} goes to their handler.
 */
@Component
public class AggregatedApis {

    /** A served group-version: its resources (for discovery) and its handler (given the path after the version). */
    public record Api(String group, String version, List<ResourceType> resources,
                      BiFunction<ServerWebExchange, String, Mono<Void>> handler) {
    }

    private final Map<String, Api> apis = new ConcurrentHashMap<>();

    public void register(Api api) {
        apis.put(api.group() + "/" + api.version(), api);
    }

    public List<ResourceType> types() {
        return apis.values().stream().flatMap(a -> a.resources().stream()).toList();
    }

    /** The handler's answer for a resource path of a registered group-version, or null for any other path. */
    public Mono<Void> serve(String path, ServerWebExchange exchange) {
        List<String> parts = RequestInfo.segments(path);
        if (parts.size() < 4 || !parts.get(0).equals("apis")) {
            return null;
        }
        Api api = apis.get(parts.get(1) + "/" + parts.get(2));
        return api == null ? null : api.handler().apply(exchange, String.join("/", parts.subList(3, parts.size())));
    }
}
