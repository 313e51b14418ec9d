package dev.coracle.server.nodeproxy;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.bootstrap.ClusterCredentials;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.netty.http.client.HttpClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;

/**
 * How the control plane reaches node agents, as kube-apiserver reaches kubelets: HTTPS to the node's
 * InternalIP (else its Hostname) on the port its status reports ({@code daemonEndpoints.kubeletEndpoint}),
 * trusting only the cluster CA, presenting the control plane's client certificate (CN system:apiserver).
 */
@Component
public class NodeConnections {

    private final HttpClient http;
    private final ReactorNettyWebSocketClient websockets;

    public NodeConnections(ClusterCredentials credentials) {
        SslContext ssl;
        try {
            ssl = SslContextBuilder.forClient()
                    .trustManager(credentials.dataDir().resolve("tls/server-ca.crt").toFile())
                    .keyManager(credentials.agentClientCertificate().toFile(), credentials.agentClientKey().toFile())
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.http = HttpClient.create().secure(spec -> spec.sslContext(ssl)
                        .handshakeTimeout(Duration.ofSeconds(10)))
                .option(io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
        this.websockets = new ReactorNettyWebSocketClient(http,
                () -> reactor.netty.http.client.WebsocketClientSpec.builder().maxFramePayloadLength(1 << 20));
    }

    public HttpClient http() {
        return http;
    }

    public ReactorNettyWebSocketClient websockets() {
        return websockets;
    }

    /** {@code https://IP:PORT} of the node's agent; a node without an address is a 400, as kube-apiserver's. */
    public static String agentUrl(Node node) {
        String host = address(node, "InternalIP");
        if (host == null) {
            host = address(node, "Hostname");
        }
        if (host == null) {
            throw ApiException.badRequest("no preferred addresses found; known addresses: []");
        }
        Integer port = node.getStatus() == null || node.getStatus().getDaemonEndpoints() == null
                || node.getStatus().getDaemonEndpoints().getKubeletEndpoint() == null ? null
                : node.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort();
        return "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + (port == null || port == 0 ? 10250 : port);
    }

    private static String address(Node node, String type) {
        List<NodeAddress> addresses = node.getStatus() == null || node.getStatus().getAddresses() == null ? List.of()
                : node.getStatus().getAddresses();
        return addresses.stream().filter(a -> type.equals(a.getType())).map(NodeAddress::getAddress).findFirst().orElse(null);
    }
}
