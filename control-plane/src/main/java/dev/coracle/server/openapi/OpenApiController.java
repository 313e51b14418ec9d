package dev.coracle.server.openapi;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.Responses;
import dev.coracle.server.discovery.AggregatedApis;
import dev.coracle.server.registry.Registry;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.net.URI;

/** Serves {@code /openapi/v3} and its group-version documents with kube-apiserver's caching rules. */
@RestController
class OpenApiController {

    private final Registry registry;
    private final AggregatedApis aggregatedApis;
    private volatile OpenApiDocuments documents;

    OpenApiController(Registry registry, AggregatedApis aggregatedApis) {
        this.registry = registry;
        this.aggregatedApis = aggregatedApis;
    }

    /** Built on the first request, once the aggregated APIs (metrics.k8s.io) have registered themselves. */
    private OpenApiDocuments documents() {
        OpenApiDocuments built = documents;
        if (built == null) {
            synchronized (this) {
                if (documents == null) {
                    documents = new OpenApiDocuments(java.util.stream.Stream.concat(registry.types().stream(),
                            aggregatedApis.types().stream()).toList());
                }
                built = documents;
            }
        }
        return built;
    }

    /**
     * kube-openapi's v2 handler: the first Accept clause it can serve wins, JSON or the gnostic protobuf
     * ({@code application/com.github.proto-openapi.spec.v2@v1.0+protobuf}, what client-go's OpenAPISchema asks for).
     * Only JSON is written here, so a request accepting nothing else gets the handler's own answer to an
     * unservable Accept, a bare 406, which clients treat as "no v2 document" (kubectl 1.32 reads v3).
     */
    @RequestMapping("/openapi/v2")
    Mono<Void> serveV2(ServerWebExchange exchange) {
        var request = exchange.getRequest();
        var response = exchange.getResponse();
        response.getHeaders().add("Vary", "Accept");
        if (!acceptsJson(request.getHeaders().getFirst("Accept"))) {
            response.setStatusCode(HttpStatus.NOT_ACCEPTABLE);
            return response.setComplete();
        }
        var document = documents().swagger();
        response.getHeaders().setETag(document.etag());
        response.getHeaders().setCacheControl("no-cache, private");
        if (document.etag().equals(request.getHeaders().getFirst("If-None-Match"))) {
            response.setStatusCode(HttpStatus.NOT_MODIFIED);
            return response.setComplete();
        }
        response.setStatusCode(HttpStatus.OK);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(document.json())));
    }

    /** Whether any Accept clause (none means {@code *}{@code /*}) matches application/json; q=0 clauses excluded. */
    static boolean acceptsJson(String accept) {
        if (accept == null || accept.isBlank()) {
            return true;
        }
        for (String clause : accept.split(",")) {
            String[] parts = clause.split(";");
            String type = parts[0].trim().toLowerCase(java.util.Locale.ROOT);
            boolean refused = java.util.Arrays.stream(parts).skip(1).map(String::trim)
                    .anyMatch(p -> p.replace(" ", "").matches("q=0(\\.0*)?"));
            if (!refused && (type.equals("application/json") || type.equals("application/*") || type.equals("*/*") || type.equals("*"))) {
                return true;
            }
        }
        return false;
    }

    @RequestMapping({"/openapi/v3", "/openapi/v3/**"})
    Mono<Void> serve(ServerWebExchange exchange) {
        var request = exchange.getRequest();
        String path = request.getPath().pathWithinApplication().value();
        String query = request.getURI().getRawQuery();
        var document = documents().forRequestPath(query == null ? path : path + "?" + query).orElse(null);
        if (document == null) {
            return Responses.status(exchange, ApiException.pathNotFound());
        }
        var response = exchange.getResponse();
        String hash = request.getQueryParams().getFirst("hash");
        if (hash != null && !hash.equals(document.hash())) {
            response.setStatusCode(HttpStatus.MOVED_PERMANENTLY);
            response.getHeaders().setLocation(URI.create(document.serverRelativeUrl()));
            return response.setComplete();
        }
        response.getHeaders().setETag(document.etag());
        response.getHeaders().setCacheControl(hash != null ? "public, immutable, max-age=31536000" : "no-cache, private");
        if (document.etag().equals(request.getHeaders().getFirst("If-None-Match"))) {
            response.setStatusCode(HttpStatus.NOT_MODIFIED);
            return response.setComplete();
        }
        response.setStatusCode(HttpStatus.OK);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(document.json())));
    }
}
