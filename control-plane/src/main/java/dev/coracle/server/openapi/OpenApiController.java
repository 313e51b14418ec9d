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

    /** What kube-openapi's v2 handler answers for an Accept clause it can serve: the media type it returns. */
    private static final String V2_PROTOBUF_ACCEPTED = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
    private static final String V2_PROTOBUF_RETURNED = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    /**
     * kube-openapi's v2 handler: the first Accept clause it can serve wins, JSON or gnostic's protobuf (what client-go's
     * OpenAPISchema asks for, and {@code kubectl explain --output=plaintext-openapiv2} reads); none: a bare 406.
     */
    @RequestMapping("/openapi/v2")
    Mono<Void> serveV2(ServerWebExchange exchange) {
        var request = exchange.getRequest();
        var response = exchange.getResponse();
        response.getHeaders().add("Vary", "Accept");
        String format = negotiateV2(request.getHeaders().getFirst("Accept"));
        if (format == null) {
            response.setStatusCode(HttpStatus.NOT_ACCEPTABLE);
            return response.setComplete();
        }
        boolean protobuf = format.equals(V2_PROTOBUF_RETURNED);
        var document = protobuf ? documents().swaggerProtobuf() : documents().swagger();
        response.getHeaders().setETag(document.etag());
        response.getHeaders().setCacheControl("no-cache, private");
        if (document.etag().equals(request.getHeaders().getFirst("If-None-Match"))) {
            response.setStatusCode(HttpStatus.NOT_MODIFIED);
            return response.setComplete();
        }
        response.setStatusCode(HttpStatus.OK);
        response.getHeaders().setContentType(MediaType.parseMediaType(format));
        return response.writeWith(Mono.just(response.bufferFactory().wrap(document.json())));
    }

    /** The media type to answer with for this Accept (none means {@code *}{@code /*}; q=0 clauses excluded), or null. */
    static String negotiateV2(String accept) {
        if (accept == null || accept.isBlank()) {
            return MediaType.APPLICATION_JSON_VALUE;
        }
        for (String clause : accept.split(",")) {
            String[] parts = clause.split(";");
            String type = parts[0].trim().toLowerCase(java.util.Locale.ROOT);
            boolean refused = java.util.Arrays.stream(parts).skip(1).map(p -> p.replace(" ", ""))
                    .anyMatch(p -> p.matches("q=0(\\.0*)?"));
            if (refused) {
                continue;
            }
            if (type.equals("application/json") || type.equals("application/*") || type.equals("*/*") || type.equals("*")) {
                return MediaType.APPLICATION_JSON_VALUE;
            }
            if (type.equals(V2_PROTOBUF_ACCEPTED)) {
                return V2_PROTOBUF_RETURNED;
            }
        }
        return null;
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
