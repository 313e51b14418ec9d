package dev.coracle.agent.server;

import dev.coracle.agent.exec.Channels;
import dev.coracle.agent.exec.ExecSession;
import dev.coracle.agent.join.ServingCertificate;
import dev.coracle.agent.logs.ContainerLogs;
import dev.coracle.agent.logs.LogOptions;
import dev.coracle.agent.logs.LogReader;
import dev.coracle.agent.pods.PodManager;
import dev.coracle.agent.runtime.ContainerHandle;
import dev.coracle.agent.runtime.ContainerRuntime;
import dev.coracle.agent.runtime.ContainerStartException;
import dev.coracle.agent.runtime.ExecProcess;
import dev.coracle.agent.stats.StatsCollector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslHandler;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The agent's own HTTPS port (the kubelet's 10250): {@code /containerLogs}, {@code /exec} and
 * {@code /stats/summary}, served with the node's serving certificate to the control plane only —
 * a caller must present a client certificate from the cluster CA with CN {@code system:apiserver}
 * (401 without one, 403 with another).
 */
public final class AgentServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AgentServer.class);
    static final String CONTROL_PLANE = "system:apiserver";

    private final PodManager pods;
    private final ContainerRuntime runtime;
    private final ContainerLogs logs;
    private final StatsCollector stats;
    private final DisposableServer server;

    public AgentServer(int port, ServingCertificate.KeyFiles serving, String caPem, PodManager pods, ContainerRuntime runtime,
                       ContainerLogs logs, StatsCollector stats) {
        this.pods = pods;
        this.runtime = runtime;
        this.logs = logs;
        this.stats = stats;
        SslContext ssl;
        try {
            ssl = new JdkSslContext(serving.serverContext(caPem), false, ClientAuth.OPTIONAL);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the agent's serving certificate: " + e.getMessage(), e);
        }
        this.server = bind(port, ssl);
        log.info("agent API listening on port {}", server.port());
    }

    private DisposableServer bind(int port, SslContext ssl) {
        try {
            // unpooled buffers: a pooling allocator keeps ~400 KiB chunks per thread for a port that serves a log or an
            // exec now and then
            return HttpServer.create().port(port)
                .option(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT)
                .secure(spec -> spec.sslContext(ssl))
                .route(routes -> routes
                        .get("/containerLogs/{namespace}/{pod}/{container}", authenticated(this::containerLogs))
                        .get("/exec/{namespace}/{pod}/{container}", authenticated(this::exec))
                        .post("/exec/{namespace}/{pod}/{container}", authenticated(this::exec))
                        .get("/stats/summary", authenticated(this::summary))
                        .route(r -> true, authenticated((req, res) -> text(res, HttpResponseStatus.NOT_FOUND, "404 page not found"))))
                .bindNow();
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            // reported in one line like a refused join: the agent does not start without its port
            throw new dev.coracle.agent.join.JoinException("cannot listen on the agent port " + port + " (--agent-port): "
                    + cause.getMessage(), e);
        }
    }

    /** Before the join: an agent whose port is taken stops before it has joined, leaving nothing behind. */
    public static void checkPortFree(int port) {
        try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(port));
        } catch (IOException e) {
            throw new dev.coracle.agent.join.JoinException("cannot listen on the agent port " + port + " (--agent-port): "
                    + e.getMessage() + "; agents sharing a machine each need their own port");
        }
    }

    public int port() {
        return server.port();
    }

    private interface Handler extends java.util.function.BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {
    }

    /** Only the control plane's client certificate gets through. */
    private static Handler authenticated(Handler handler) {
        return (req, res) -> {
            AtomicReference<String> caller = new AtomicReference<>();
            req.withConnection(connection -> {
                SslHandler tls = connection.channel().pipeline().get(SslHandler.class);
                if (tls == null) {
                    return;
                }
                try {
                    Certificate[] chain = tls.engine().getSession().getPeerCertificates();
                    if (chain.length > 0 && chain[0] instanceof X509Certificate cert) {
                        caller.set(commonName(cert));
                    }
                } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                    // no client certificate
                }
            });
            if (caller.get() == null) {
                return text(res, HttpResponseStatus.UNAUTHORIZED, "Unauthorized");
            }
            if (!CONTROL_PLANE.equals(caller.get())) {
                return text(res, HttpResponseStatus.FORBIDDEN, "Forbidden (user=" + caller.get() + ", verb=get, resource=nodes)");
            }
            return handler.apply(req, res);
        };
    }

    static String commonName(X509Certificate cert) {
        for (String part : cert.getSubjectX500Principal().getName().split(",")) {
            if (part.startsWith("CN=")) {
                return part.substring(3);
            }
        }
        return "";
    }

    // ---- logs -------------------------------------------------------------------------------

    private Publisher<Void> containerLogs(HttpServerRequest req, HttpServerResponse res) {
        String namespace = req.param("namespace");
        String podName = req.param("pod");
        String container = req.param("container");
        Map<String, List<String>> query = new QueryStringDecoder(req.uri(), StandardCharsets.UTF_8, true, 1024, true).parameters();
        LogOptions options;
        boolean previous;
        try {
            options = logOptions(query);
            previous = flag(query, "previous");
        } catch (IllegalArgumentException e) {
            return text(res, HttpResponseStatus.BAD_REQUEST, e.getMessage());
        }
        Optional<Pod> pod = pods.pod(namespace, podName);
        Path containerDir;
        if (pod.isPresent()) {
            var spec = pod.get().getSpec();
            if (java.util.stream.Stream.concat(spec.getContainers().stream(),
                    spec.getInitContainers() == null ? java.util.stream.Stream.empty() : spec.getInitContainers().stream())
                    .noneMatch(c -> c.getName().equals(container))) {
                return text(res, HttpResponseStatus.NOT_FOUND, "container \"" + container + "\" not found in pod \"" + podName + "\"");
            }
            containerDir = logs.podDir(namespace, podName, pod.get().getMetadata().getUid()).resolve(container);
        } else {
            return text(res, HttpResponseStatus.NOT_FOUND, "pod \"" + podName + "\" does not exist");
        }
        Optional<ContainerHandle> running = pods.runningContainer(namespace, podName, container);
        int latest = LogReader.latestInstance(containerDir);
        int instance = previous ? (running.isPresent() ? latest - 1 : latest) : latest;
        if (instance < 0) {
            if (previous) {
                return text(res, HttpResponseStatus.BAD_REQUEST,
                        "previous terminated container \"" + container + "\" in pod \"" + podName + "\" not found");
            }
            return res.status(200).header("Content-Type", "text/plain").send();
        }
        List<Path> files = LogReader.files(containerDir, instance);
        ContainerHandle writer = !previous && instance == latest ? running.orElse(null) : null;
        Flux<ByteBuf> body = Flux.create(sink -> {
            AtomicBoolean cancelled = new AtomicBoolean();
            sink.onDispose(() -> cancelled.set(true));
            OutputStream out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[]{(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (cancelled.get()) {
                        throw new IOException("client went away");
                    }
                    sink.next(Unpooled.copiedBuffer(b, off, len));
                }
            };
            Schedulers.boundedElastic().schedule(() -> {
                try {
                    LogReader.read(files, options, new java.io.BufferedOutputStream(out, 8192),
                            () -> !cancelled.get() && writer != null && writer.isRunning());
                    sink.complete();
                } catch (IOException e) {
                    sink.complete();
                } catch (RuntimeException e) {
                    sink.error(e);
                }
            });
        });
        return res.status(200).header("Content-Type", "text/plain").header("Cache-Control", "no-cache")
                .send(body, b -> true);
    }

    static LogOptions logOptions(Map<String, List<String>> query) {
        Long tail = number(query, "tailLines");
        Long limit = number(query, "limitBytes");
        Long sinceSeconds = number(query, "sinceSeconds");
        String sinceTime = first(query, "sinceTime");
        Instant since = null;
        if (sinceSeconds != null) {
            since = Instant.now().minusSeconds(sinceSeconds);
        } else if (sinceTime != null && !sinceTime.isEmpty()) {
            try {
                since = OffsetDateTime.parse(sinceTime).toInstant();
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("sinceTime: invalid time " + sinceTime);
            }
        }
        return new LogOptions(flag(query, "follow"), tail, since, flag(query, "timestamps"), limit);
    }

    // ---- exec -------------------------------------------------------------------------------

    private Publisher<Void> exec(HttpServerRequest req, HttpServerResponse res) {
        String namespace = req.param("namespace");
        String podName = req.param("pod");
        String container = req.param("container");
        Map<String, List<String>> query = new QueryStringDecoder(req.uri(), StandardCharsets.UTF_8, true, 1024, true).parameters();
        List<String> command = query.getOrDefault("command", List.of());
        boolean tty = flag(query, "tty");
        boolean stdin = flag(query, "stdin") || flag(query, "input");
        if (command.isEmpty()) {
            return text(res, HttpResponseStatus.BAD_REQUEST, "you must specify at least 1 command");
        }
        if (!"websocket".equalsIgnoreCase(req.requestHeaders().get("Upgrade"))) {
            return text(res, HttpResponseStatus.BAD_REQUEST, "Upgrade request required");
        }
        Optional<ContainerHandle> running = pods.runningContainer(namespace, podName, container);
        if (running.isEmpty()) {
            return text(res, HttpResponseStatus.NOT_FOUND, "container not found (\"" + container + "\")");
        }
        ExecProcess process;
        try {
            process = runtime.exec(running.get(), command, tty);
        } catch (ContainerStartException e) {
            return text(res, HttpResponseStatus.INTERNAL_SERVER_ERROR, e.getMessage());
        }
        ExecSession session = new ExecSession(process, command, stdin);
        return res.sendWebsocket((in, out) -> {
            Mono<Void> input = in.receiveFrames().doOnNext(frame -> session.receive(ByteBufUtil.getBytes(frame.content())))
                    .doFinally(s -> session.kill()).then();
            Mono<Void> output = out.sendObject(session.start().map(bytes -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes))))
                    .then().then(out.sendClose(1000, ""));
            return Mono.firstWithSignal(output, input.then(Mono.never())).onErrorResume(e -> Mono.empty());
        }, WebsocketServerSpec.builder().protocols(String.join(",", Channels.PROTOCOLS)).maxFramePayloadLength(1 << 20).build());
    }

    // ---- stats ------------------------------------------------------------------------------

    private Publisher<Void> summary(HttpServerRequest req, HttpServerResponse res) {
        return Mono.fromCallable(() -> Serialization.asJson(stats.summary())).subscribeOn(Schedulers.boundedElastic())
                .flatMap(json -> res.status(200).header("Content-Type", "application/json").sendString(Mono.just(json)).then());
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static Mono<Void> text(HttpServerResponse res, HttpResponseStatus status, String message) {
        return res.status(status).header("Content-Type", "text/plain; charset=utf-8").sendString(Mono.just(message)).then();
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    static boolean flag(Map<String, List<String>> query, String name) {
        String value = first(query, name);
        return value != null && (value.isEmpty() || value.equals("true") || value.equals("1"));
    }

    private static Long number(Map<String, List<String>> query, String name) {
        String value = first(query, name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": invalid value " + value);
        }
    }

    @Override
    public void close() {
        server.disposeNow(java.time.Duration.ofSeconds(5));
    }
}
