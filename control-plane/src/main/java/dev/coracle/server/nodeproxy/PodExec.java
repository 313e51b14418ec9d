package dev.coracle.server.nodeproxy;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.InternalClient;
import dev.coracle.server.api.Query;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

import java.util.List;

/**
 * {@code pods/exec} over WebSocket, as kubectl v1.32 opens it ({@code Sec-WebSocket-Protocol:
 * v5.channel.k8s.io} first, then v4 and older): checks the pod and container, accepts the upgrade
 * with the protocol it chose, opens the same protocol to the node agent's {@code /exec} and relays
 * the binary messages both ways untouched — the channel bytes, the stdin close, the resizes, and the
 * final status on channel 3 — until either side closes.
 */
@Component
public class PodExec {

    static final List<String> PROTOCOLS = List.of("v5.channel.k8s.io", "v4.channel.k8s.io");

    private final InternalClient client;
    private final NodeConnections nodes;
    private final HandshakeWebSocketService websockets = new HandshakeWebSocketService();

    public PodExec(InternalClient client, NodeConnections nodes) {
        this.client = client;
        this.nodes = nodes;
    }

    public Mono<Void> serve(String user, String namespace, String name, Query query, ServerWebExchange exchange) {
        NodeAccess.requireUser(user, "create", "exec", namespace, name);
        List<String> command = query.params().getOrDefault("command", List.of());
        if (command.isEmpty()) {
            throw ApiException.badRequest("you must specify at least 1 command");
        }
        boolean stdin = query.flag("stdin");
        boolean stdout = query.flag("stdout");
        boolean stderr = query.flag("stderr");
        boolean tty = query.flag("tty");
        if (!stdin && !stdout && !stderr) {
            throw ApiException.badRequest("you must specify at least one of stdin, stdout, stderr");
        }
        boolean websocket = "websocket".equalsIgnoreCase(exchange.getRequest().getHeaders().getUpgrade());
        return Mono.fromCallable(() -> PodTarget.resolve(client, namespace, name, query.get("container")))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(found -> {
                    PodTarget target = found.orElseThrow(() -> ApiException.badRequest("pod " + name + " does not have a host assigned"));
                    checkRunning(target);
                    // after the pod's checks: kubectl retries a refused WebSocket with SPDY and shows that second answer,
                    // which must then still say why (the kubelet refuses both for the same reason)
                    if (!websocket) {
                        throw ApiException.badRequest("Upgrade request required");
                    }
                    AgentQuery uri = new AgentQuery(target.agentPath("exec").replaceFirst("^https:", "wss:"));
                    command.forEach(c -> uri.add("command", c));
                    uri.add("stdin", String.valueOf(stdin)).add("stdout", String.valueOf(stdout))
                            .add("stderr", String.valueOf(stderr)).add("tty", String.valueOf(tty));
                    return websockets.handleRequest(exchange, new Relay(uri.toUri()));
                });
    }

    /** kubectl's and the kubelet's checks: a finished pod or a container that is not running cannot run commands. */
    private static void checkRunning(PodTarget target) {
        String phase = target.pod().getStatus() == null ? null : target.pod().getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            throw ApiException.badRequest("cannot exec into a container in a completed pod; current phase is " + phase);
        }
        ContainerStatus status = target.status().orElse(null);
        if (status == null || status.getState() == null || status.getState().getRunning() == null) {
            throw ApiException.badRequest("container " + target.container() + " is not running in pod "
                    + target.pod().getMetadata().getName());
        }
    }

    /** kubectl's side of the upgrade, and the relay to the agent once it is accepted. */
    private final class Relay implements WebSocketHandler {
        private final java.net.URI agent;

        Relay(java.net.URI agent) {
            this.agent = agent;
        }

        @Override
        public List<String> getSubProtocols() {
            return PROTOCOLS;
        }

        @Override
        public Mono<Void> handle(WebSocketSession kubectl) {
            HandshakeInfo handshake = kubectl.getHandshakeInfo();
            String protocol = handshake.getSubProtocol() == null ? PROTOCOLS.get(0) : handshake.getSubProtocol();
            return nodes.websockets().execute(agent, new HttpHeaders(), new WebSocketHandler() {
                @Override
                public List<String> getSubProtocols() {
                    return List.of(protocol);
                }

                @Override
                public Mono<Void> handle(WebSocketSession agentSession) {
                    // kubectl's messages go through a buffer of their own: when the agent's side ends, cancelling
                    // kubectl's inbound would make Reactor Netty close it without a status code (1005) before the
                    // normal closure kubectl expects after the exit status
                    Sinks.Many<WebSocketMessage> fromKubectl = Sinks.many().unicast().onBackpressureBuffer();
                    Mono<Void> readKubectl = kubectl.receive()
                            .doOnNext(m -> fromKubectl.tryEmitNext(copy(m, agentSession)))
                            .doFinally(signal -> fromKubectl.tryEmitComplete())
                            .onErrorResume(e -> Mono.empty()).then();
                    Mono<Void> toAgent = agentSession.send(fromKubectl.asFlux())
                            .then(Mono.defer(agentSession::close)).onErrorResume(e -> Mono.empty());
                    Mono<Void> toKubectl = kubectl.send(agentSession.receive().map(m -> copy(m, kubectl))
                                    .onErrorResume(e -> reactor.core.publisher.Flux.empty()))
                            .then(Mono.defer(kubectl::close)).onErrorResume(e -> Mono.empty());
                    return Mono.when(readKubectl, toAgent, toKubectl);
                }
            }).onErrorResume(e -> kubectl.send(Mono.just(kubectl.binaryMessage(f -> f.wrap(failure(agent, e)))))
                    .then(kubectl.close()));
        }
    }

    private static WebSocketMessage copy(WebSocketMessage message, WebSocketSession to) {
        DataBuffer payload = message.getPayload();
        byte[] bytes = new byte[payload.readableByteCount()];
        payload.read(bytes);
        return message.getType() == WebSocketMessage.Type.TEXT ? to.textMessage(new String(bytes, java.nio.charset.StandardCharsets.UTF_8))
                : to.binaryMessage(f -> f.wrap(bytes));
    }

    /** A channel-3 Failure for an agent that could not be reached after the upgrade was accepted. */
    private static byte[] failure(java.net.URI agent, Throwable e) {
        String message = ("{\"metadata\":{},\"status\":\"Failure\",\"message\":"
                + dev.coracle.server.api.Json.write(AgentErrors.unreachable(agent, e).getMessage())
                + ",\"reason\":\"InternalError\",\"code\":500}");
        byte[] json = message.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] out = new byte[json.length + 1];
        out[0] = 3;
        System.arraycopy(json, 0, out, 1, json.length);
        return out;
    }
}
