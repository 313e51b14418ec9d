package dev.coracle.server.metrics;

import dev.coracle.server.api.RequestInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * kube-apiserver's request metrics: {@code apiserver_request_total{verb,group,version,resource,subresource,scope,code}}
 * and {@code apiserver_request_duration_seconds} (not for WATCH, whose duration is the stream's life).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestMetrics implements WebFilter {

    private final MeterRegistry meters;
    private final Map<CounterKey, Counter> counters = new ConcurrentHashMap<>();
    private final Map<Series, Timer> timers = new ConcurrentHashMap<>();

    RequestMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        RequestInfo info = path.startsWith("/api") ? RequestInfo.parse(path, (gv, plural) -> !plural.equals("status")
                && !plural.equals("finalize")) : null;
        if (info == null || info.resource() == null) {
            return chain.filter(exchange);
        }
        String verb = verb(exchange, info);
        long start = System.nanoTime();
        return chain.filter(exchange).doFinally(signal -> {
            var status = exchange.getResponse().getStatusCode();
            String code = status == null ? "200" : Integer.toString(status.value());
            String scope = info.name() != null ? "resource" : info.namespace() != null ? "namespace" : "cluster";
            Series series = new Series(verb, info.group(), info.version(), info.resource(),
                    info.subresource() == null ? "" : info.subresource(), scope);
            counters.computeIfAbsent(new CounterKey(series, code), this::counter).increment();
            if (!verb.equals("WATCH")) {
                timers.computeIfAbsent(series, this::timer).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            }
        });
    }

    /** One request series' labels but the code. Meters are looked up by these, not rebuilt per request. */
    private record Series(String verb, String group, String version, String resource, String subresource, String scope) {
    }

    private record CounterKey(Series series, String code) {
    }

    private Counter counter(CounterKey key) {
        Series s = key.series();
        return Counter.builder("apiserver_request")
                .tags("verb", s.verb(), "group", s.group(), "version", s.version(), "resource", s.resource(),
                        "subresource", s.subresource(), "scope", s.scope(), "code", key.code())
                .register(meters);
    }

    private Timer timer(Series s) {
        return Timer.builder("apiserver_request_duration")
                .tags("verb", s.verb(), "group", s.group(), "version", s.version(), "resource", s.resource(),
                        "subresource", s.subresource(), "scope", s.scope())
                .publishPercentileHistogram()
                .register(meters);
    }

    /** kube-apiserver's metric verb: the request verb in capitals, POST and PUT for create and update, APPLY for apply patches. */
    private static String verb(ServerWebExchange exchange, RequestInfo info) {
        String verb = info.verb(exchange.getRequest().getMethod(), exchange.getRequest().getQueryParams());
        return switch (verb) {
            case "create" -> "POST";
            case "update" -> "PUT";
            case "patch" -> "application/apply-patch+yaml".equals(exchange.getRequest().getHeaders().getFirst("Content-Type"))
                    ? "APPLY" : "PATCH";
            default -> verb.toUpperCase(java.util.Locale.ROOT);
        };
    }
}
