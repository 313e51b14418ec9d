package dev.coracle.server.api;

import io.fabric8.kubernetes.api.model.Status;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Writes API answers: JSON by default, YAML when asked, Status objects for errors. */
public final class Responses {

    private Responses() {
    }

    public static Mono<Void> json(ServerWebExchange exchange, int code, Object body) {
        return json(exchange, code, body, List.of());
    }

    public static Mono<Void> json(ServerWebExchange exchange, int code, Object body, List<String> warnings) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.valueOf(code));
        for (String w : warnings) {
            response.getHeaders().add("Warning", "299 - \"" + w.replace("\"", "\\\"") + "\"");
        }
        byte[] bytes;
        String accept = exchange.getRequest().getHeaders().getFirst("Accept");
        if (accept != null && accept.startsWith("application/yaml") && !(body instanceof byte[])) {
            response.getHeaders().setContentType(MediaType.parseMediaType("application/yaml"));
            bytes = Json.yaml(body instanceof String json ? Json.parseStored(json) : body).getBytes(StandardCharsets.UTF_8);
        } else {
            response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
            bytes = body instanceof byte[] b ? b : body instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : Json.bytes(body);
        }
        DataBuffer buffer = response.bufferFactory().wrap(bytes);
        return response.writeWith(Mono.just(buffer));
    }

    public static Mono<Void> status(ServerWebExchange exchange, ApiException e) {
        Status status = e.status();
        status.setKind("Status");
        status.setApiVersion("v1");
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.empty();
        }
        response.getHeaders().remove("Content-Type");
        if (status.getDetails() != null && status.getDetails().getRetryAfterSeconds() != null
                && status.getDetails().getRetryAfterSeconds() > 0) {
            // as kube-apiserver's response writer: clients honour the header, not the body
            response.getHeaders().set("Retry-After", Integer.toString(status.getDetails().getRetryAfterSeconds()));
        }
        return json(exchange, e.code(), status);
    }
}
