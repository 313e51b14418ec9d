package dev.coracle.server.nodeproxy;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.InternalClient;
import io.fabric8.kubernetes.api.model.Pod;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code pods/portforward} as kubectl v1.32 opens it: a WebSocket ({@code Sec-WebSocket-Protocol:
 * SPDY/3.1+portforward.k8s.io}) tunnelling a SPDY/3.1 session, in which kubectl opens, per local connection, an error
 * stream and a data stream ({@code streamtype}, {@code port}, {@code requestid} headers). Each data stream is joined to a
 * TCP connection to the pod's port at its IP; what cannot be reached is told on the error stream, in the kubelet's words.
 * The SPDY framing and header compression are Netty's codec.
 */
@Component
public class PodPortForward {

    static final String PROTOCOL = "SPDY/3.1+portforward.k8s.io";

    private final InternalClient client;
    private final HandshakeWebSocketService websockets = new HandshakeWebSocketService();

    public PodPortForward(InternalClient client) {
        this.client = client;
    }

    public Mono<Void> serve(String user, String namespace, String name, ServerWebExchange exchange) {
        NodeAccess.requireUser(user, "create", "portforward", namespace, name);
        if (!"websocket".equalsIgnoreCase(exchange.getRequest().getHeaders().getUpgrade())) {
            throw ApiException.badRequest("Upgrade request required");
        }
        return Mono.fromCallable(() -> client.get(Pod.class, namespace, name).orElseThrow(() -> ApiException.notFound("", "pods", name)))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(pod -> {
                    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
                    if (!"Running".equals(phase)) {
                        throw ApiException.badRequest("pod " + name + " is not running (phase " + phase + ")");
                    }
                    return websockets.handleRequest(exchange, new Tunnel(pod));
                });
    }

    /** One kubectl session: SPDY frames in and out of the WebSocket, a TCP connection per data stream. */
    private static final class Tunnel implements WebSocketHandler {
        private final Pod pod;
        private final EmbeddedChannel codec = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
        private final Sinks.Many<byte[]> out = Sinks.many().unicast().onBackpressureBuffer();
        /** requestid → the error stream's id, for the data stream's failure. */
        private final Map<String, Integer> errorStreams = new ConcurrentHashMap<>();
        /** data stream id → its forwarding to the pod. */
        private final Map<Integer, Forward> forwards = new ConcurrentHashMap<>();

        Tunnel(Pod pod) {
            this.pod = pod;
        }

        @Override
        public List<String> getSubProtocols() {
            return List.of(PROTOCOL);
        }

        @Override
        public Mono<Void> handle(WebSocketSession session) {
            Mono<Void> input = session.receive().doOnNext(this::fromKubectl).then()
                    .doFinally(s -> closeAll());
            Mono<Void> output = session.send(out.asFlux().map(bytes -> session.binaryMessage(f -> f.wrap(bytes))));
            return Mono.zip(input, output).then();
        }

        private void fromKubectl(WebSocketMessage message) {
            byte[] bytes = new byte[message.getPayload().readableByteCount()];
            message.getPayload().read(bytes);
            List<Object> frames = new java.util.ArrayList<>();
            synchronized (codec) {
                codec.writeInbound(Unpooled.wrappedBuffer(bytes));
                for (Object frame; (frame = codec.readInbound()) != null; ) {
                    frames.add(frame);
                }
            }
            frames.forEach(this::handle);
        }

        private void handle(Object frame) {
            if (frame instanceof SpdySynStreamFrame syn) {
                // the stream's own headers echoed: Netty writes no header block for none, and Go's framer wants one
                DefaultSpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(syn.streamId());
                reply.headers().add(syn.headers());
                send(reply);
                String type = syn.headers().getAsString("streamtype");
                String request = syn.headers().getAsString("requestid");
                String port = syn.headers().getAsString("port");
                if ("error".equals(type)) {
                    errorStreams.put(String.valueOf(request), syn.streamId());
                } else if ("data".equals(type)) {
                    connect(syn.streamId(), String.valueOf(request), port);
                }
            } else if (frame instanceof SpdyDataFrame data) {
                try {
                    Forward forward = forwards.get(data.streamId());
                    if (forward != null) {
                        byte[] bytes = new byte[data.content().readableBytes()];
                        data.content().readBytes(bytes);
                        forward.fromKubectl(bytes, data.isLast());
                    }
                } finally {
                    data.release();
                }
            } else if (frame instanceof SpdyPingFrame ping) {
                send(new DefaultSpdyPingFrame(ping.id()));
            } else if (frame instanceof SpdyRstStreamFrame reset) {
                Forward forward = forwards.remove(reset.streamId());
                if (forward != null) {
                    forward.close();
                }
            } else if (frame instanceof SpdyGoAwayFrame) {
                closeAll();
            }
        }

        /** The kubelet's portForward: a connection to the port, copied both ways until either side ends. */
        private void connect(int stream, String request, String port) {
            Forward forward = new Forward();
            forwards.put(stream, forward);
            Schedulers.boundedElastic().schedule(() -> {
                String ip = pod.getStatus().getPodIP();
                Socket socket = new Socket();
                try {
                    socket.connect(new InetSocketAddress(ip, Integer.parseInt(port)), 10_000);
                } catch (IOException | RuntimeException e) {
                    forwards.remove(stream);
                    fail(stream, request, port, "dial tcp " + ip + ":" + port + ": connect: " + (e.getMessage() == null
                            ? "connection refused" : e.getMessage().toLowerCase(java.util.Locale.ROOT)));
                    closeQuietly(socket);
                    return;
                }
                forward.connected(socket);
                byte[] buffer = new byte[32 * 1024];
                try (InputStream from = socket.getInputStream()) {
                    for (int n; (n = from.read(buffer)) > 0; ) {
                        send(new DefaultSpdyDataFrame(stream, Unpooled.copiedBuffer(buffer, 0, n)));
                    }
                } catch (IOException e) {
                    // the pod or kubectl closed the connection
                } finally {
                    forwards.remove(stream);
                    forward.close();
                    send(last(stream));
                    Integer error = errorStreams.remove(request);
                    if (error != null) {
                        send(last(error));
                    }
                }
            });
        }

        /** What kubectl sends on a data stream: held until the connection to the pod is up, then written through. */
        private static final class Forward {
            private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();
            private boolean kubectlDone;
            private Socket socket;

            synchronized void fromKubectl(byte[] bytes, boolean last) {
                if (socket == null) {
                    pending.writeBytes(bytes);
                    kubectlDone |= last;
                    return;
                }
                write(bytes, last);
            }

            synchronized void connected(Socket connected) {
                socket = connected;
                write(pending.toByteArray(), kubectlDone);
            }

            private void write(byte[] bytes, boolean last) {
                try {
                    OutputStream to = socket.getOutputStream();
                    to.write(bytes);
                    to.flush();
                    if (last) {
                        socket.shutdownOutput();
                    }
                } catch (IOException e) {
                    close();
                }
            }

            synchronized void close() {
                closeQuietly(socket);
            }
        }

        private void fail(int stream, String request, String port, String why) {
            Integer error = errorStreams.remove(request);
            if (error != null) {
                String message = "error forwarding port " + port + " to pod " + pod.getMetadata().getName() + ", uid "
                        + pod.getMetadata().getUid() + ": " + why;
                send(new DefaultSpdyDataFrame(error, Unpooled.copiedBuffer(message, StandardCharsets.UTF_8)));
                send(last(error));
            }
            send(last(stream));
        }

        private static SpdyDataFrame last(int stream) {
            SpdyDataFrame frame = new DefaultSpdyDataFrame(stream);
            frame.setLast(true);
            return frame;
        }

        private void send(Object frame) {
            synchronized (codec) {
                codec.writeOutbound(frame);
                for (ByteBuf bytes; (bytes = codec.readOutbound()) != null; ) {
                    byte[] copy = new byte[bytes.readableBytes()];
                    bytes.readBytes(copy);
                    bytes.release();
                    out.tryEmitNext(copy);
                }
            }
        }

        private void closeAll() {
            forwards.values().forEach(Forward::close);
            forwards.clear();
            out.tryEmitComplete();
            synchronized (codec) {
                codec.finishAndReleaseAll();
            }
        }

        private static void closeQuietly(Socket socket) {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }
    }
}
