package dev.coracle.server.nodeproxy;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.api.InternalClient;
import dev.coracle.server.api.Query;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.netty.buffer.ByteBufUtil;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /api/v1/namespaces/NS/pods/NAME/log}: checks the options and the container as
 * kube-apiserver and the kubelet do, then streams the node agent's {@code /containerLogs} answer
 * as {@code text/plain}, chunk by chunk, open for as long as the agent follows the log.
 */
@Component
public class PodLogs {

    private final InternalClient client;
    private final NodeConnections nodes;

    public PodLogs(InternalClient client, NodeConnections nodes) {
        this.client = client;
        this.nodes = nodes;
    }

    public Mono<Void> serve(String user, String namespace, String name, Query query, ServerWebExchange exchange) {
        NodeAccess.requireUser(user, "get", "log", namespace, name);
        validate(name, query);
        return Mono.fromCallable(() -> PodTarget.resolve(client, namespace, name, query.get("container")))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(target -> target.isEmpty() ? empty(exchange) : stream(target.get(), query, exchange));
    }

    /** PodLogOptions validation, a 422 as {@code ValidatePodLogOptions} words it. */
    static void validate(String name, Query query) {
        List<FieldError> errors = new ArrayList<>();
        Long tail = query.number("tailLines");
        if (tail != null && tail < 0) {
            errors.add(FieldError.invalid("tailLines", tail, "must be greater than or equal to 0"));
        }
        Long limit = query.number("limitBytes");
        if (limit != null && limit < 1) {
            errors.add(FieldError.invalid("limitBytes", limit, "must be greater than 0"));
        }
        Long sinceSeconds = query.number("sinceSeconds");
        String sinceTime = query.get("sinceTime");
        if (sinceSeconds != null && sinceTime != null) {
            errors.add(FieldError.forbidden("", "at most one of `sinceTime` or `sinceSeconds` may be specified"));
        } else if (sinceSeconds != null && sinceSeconds < 1) {
            errors.add(FieldError.invalid("sinceSeconds", sinceSeconds, "must be greater than 0"));
        }
        if (sinceTime != null) {
            try {
                OffsetDateTime.parse(sinceTime);
            } catch (DateTimeParseException e) {
                throw ApiException.badRequest("sinceTime: invalid value \"" + sinceTime + "\": must be an RFC3339 time");
            }
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid("PodLogOptions", name, errors);
        }
    }

    /** The kubelet's {@code validateContainerLogStatus}: which state of the container has logs to show. */
    static void checkLogsExist(PodTarget target, boolean previous) {
        String container = target.container();
        String pod = target.pod().getMetadata().getName();
        Optional<ContainerStatus> found = target.status();
        if (found.isEmpty()) {
            throw ApiException.badRequest("container \"" + container + "\" in pod \"" + pod + "\" is waiting to start: ContainerCreating");
        }
        ContainerStatus status = found.get();
        boolean lastTerminated = status.getLastState() != null && status.getLastState().getTerminated() != null;
        if (previous) {
            if (!lastTerminated) {
                throw ApiException.badRequest("previous terminated container \"" + container + "\" in pod \"" + pod + "\" not found");
            }
            return;
        }
        var state = status.getState();
        if (state == null || state.getRunning() != null || state.getTerminated() != null || lastTerminated) {
            return;
        }
        if (state.getWaiting() != null) {
            String reason = state.getWaiting().getReason();
            String why = switch (reason == null ? "" : reason) {
                case "ErrImagePull" -> "image can't be pulled";
                case "ImagePullBackOff" -> "trying and failing to pull image";
                default -> reason;
            };
            throw ApiException.badRequest("container \"" + container + "\" in pod \"" + pod + "\" is waiting to start: " + why);
        }
    }

    private Mono<Void> stream(PodTarget target, Query query, ServerWebExchange exchange) {
        checkLogsExist(target, query.flag("previous"));
        AgentQuery uri = new AgentQuery(target.agentPath("containerLogs"));
        for (String option : List.of("follow", "previous", "timestamps")) {
            if (query.flag(option)) {
                uri.add(option, "true");
            }
        }
        for (String option : List.of("tailLines", "limitBytes", "sinceSeconds", "sinceTime")) {
            if (query.get(option) != null) {
                uri.add(option, query.get(option));
            }
        }
        ServerHttpResponse response = exchange.getResponse();
        java.net.URI url = uri.toUri();
        return nodes.http().get().uri(url).response((head, body) -> {
            if (head.status().code() != 200) {
                return body.aggregate().asString().defaultIfEmpty(head.status().reasonPhrase())
                        .flatMap(message -> Mono.<Void>error(AgentErrors.fromAgent(head.status().code(), message.trim())));
            }
            response.setStatusCode(HttpStatus.OK);
            response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
            response.getHeaders().set("Cache-Control", "no-cache, private");
            // flush every chunk as it comes: a followed log must reach kubectl line by line
            Flux<Mono<org.springframework.core.io.buffer.DataBuffer>> chunks = body.map(buffer ->
                    Mono.just(response.bufferFactory().wrap(ByteBufUtil.getBytes(buffer))));
            return response.writeAndFlushWith(Flux.concat(Flux.just(Mono.just(response.bufferFactory().wrap(new byte[0]))), chunks));
        }).onErrorMap(e -> !(e instanceof ApiException), e -> AgentErrors.unreachable(url, e))
                .then();
    }

    private static Mono<Void> empty(ServerWebExchange exchange) {
        exchange.getResponse().setStatusCode(HttpStatus.OK);
        exchange.getResponse().getHeaders().setContentType(MediaType.TEXT_PLAIN);
        return exchange.getResponse().setComplete();
    }
}
