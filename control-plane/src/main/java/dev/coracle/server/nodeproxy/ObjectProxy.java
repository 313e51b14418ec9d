package dev.coracle.server.nodeproxy;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.InternalClient;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;

import javax.net.ssl.SSLException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code pods/proxy} and {@code services/proxy}, as kube-apiserver serves them (and so the URLs {@code kubectl proxy}
 * users open, {@code /api/v1/namespaces/NS/services/NAME:PORT/proxy/PATH}): the request — method, headers but not the
 * caller's credentials, body — goes on to the pod's IP, or to a ready endpoint of the Service picked at random, and the
 * answer comes back as it is. The name may carry a scheme and a port ({@code https:web:8443}); a pod's port defaults to
 * its first container port. Like kube-apiserver, the control plane connects to the pod itself (not through its node),
 * refuses loopback and link-local targets, and trusts any certificate of an https target. Upgrades are not proxied.
 */
@Component
public class ObjectProxy {

    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
            "te", "trailer", "transfer-encoding", "upgrade", "host", "authorization");

    private final InternalClient client;
    private final HttpClient http;

    public ObjectProxy(InternalClient client) {
        this.client = client;
        SslContext insecure;
        try {
            insecure = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        } catch (SSLException e) {
            throw new IllegalStateException(e);
        }
        this.http = HttpClient.create().secure(spec -> spec.sslContext(insecure))
                .option(io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .responseTimeout(Duration.ofMinutes(5));
    }

    /** Where a proxied request goes: {@code http(s)://host:port}. */
    record Target(String scheme, String hostPort) {
    }

    /** {@code [scheme:]name[:port]}, as {@code SplitSchemeNamePort} reads it. */
    record SchemeNamePort(String scheme, String name, String port) {

        static SchemeNamePort parse(String id) {
            String[] parts = id.split(":", -1);
            SchemeNamePort parsed = switch (parts.length) {
                case 1 -> new SchemeNamePort("", parts[0], "");
                case 2 -> new SchemeNamePort("", parts[0], parts[1]);
                case 3 -> new SchemeNamePort(parts[0], parts[1], parts[2]);
                default -> null;
            };
            if (parsed == null || parsed.name.isEmpty() || !(parsed.scheme.isEmpty() || parsed.scheme.equals("http") || parsed.scheme.equals("https"))) {
                throw ApiException.badRequest("invalid request " + id);
            }
            return parsed;
        }

        String schemeOrHttp() {
            return scheme.isEmpty() ? "http" : scheme;
        }
    }

    public Mono<Void> serve(String user, String resource, String namespace, String id, ServerWebExchange exchange) {
        NodeAccess.requireUser(user, "get", "proxy", namespace, id, resource);
        ServerHttpRequest request = exchange.getRequest();
        String path = request.getPath().value();
        String marker = "/" + id + "/proxy";
        int at = path.indexOf(marker);
        String rest = at < 0 ? "" : path.substring(at + marker.length());
        if (rest.isEmpty()) {
            // UpgradeAwareHandler: a proxy URL without a path moves to one ending in '/', so relative links resolve
            String query = request.getURI().getRawQuery();
            exchange.getResponse().setStatusCode(HttpStatus.MOVED_PERMANENTLY);
            exchange.getResponse().getHeaders().set("Location", path + "/" + (query == null ? "" : "?" + query));
            return exchange.getResponse().setComplete();
        }
        SchemeNamePort target = SchemeNamePort.parse(id);
        return Mono.fromCallable(() -> resource.equals("pods") ? pod(namespace, target) : service(namespace, target))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(location -> forward(location, rest, exchange));
    }

    /** {@code pod.ResourceLocation}: the pod's IP and the port asked for, else its first container port, else none. */
    private Target pod(String namespace, SchemeNamePort id) {
        Pod pod = client.get(Pod.class, namespace, id.name()).orElseThrow(() -> ApiException.notFound("", "pods", id.name()));
        String port = id.port();
        if (port.isEmpty()) {
            port = pod.getSpec().getContainers().stream().filter(c -> c.getPorts() != null && !c.getPorts().isEmpty())
                    .map(c -> String.valueOf(c.getPorts().get(0).getContainerPort())).findFirst().orElse("");
        }
        String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        requireProxyable(ip);
        return new Target(id.schemeOrHttp(), port.isEmpty() ? host(ip) : host(ip) + ":" + port);
    }

    /** The Service's REST {@code ResourceLocation}: a random ready address of a subset that has the port asked for. */
    private Target service(String namespace, SchemeNamePort id) {
        Service service = client.get(Service.class, namespace, id.name()).orElseThrow(() -> ApiException.notFound("", "services", id.name()));
        if ("ExternalName".equals(service.getSpec().getType())) {
            throw ApiException.badRequest("no endpoints for external name service \"" + id.name() + "\"");
        }
        String portName = id.port();
        if (portName.chars().allMatch(Character::isDigit) && !portName.isEmpty()) {
            int number = Integer.parseInt(portName);
            portName = service.getSpec().getPorts().stream().filter(p -> p.getPort() == number).map(ServicePort::getName)
                    .map(n -> n == null ? "" : n).findFirst()
                    .orElseThrow(() -> unavailable("no service port " + number + " found for service \"" + id.name() + "\""));
        }
        Endpoints endpoints = client.get(Endpoints.class, namespace, id.name())
                .orElseThrow(() -> unavailable("no endpoints available for service \"" + id.name() + "\""));
        List<EndpointSubset> subsets = endpoints.getSubsets() == null ? List.of() : endpoints.getSubsets();
        int start = subsets.isEmpty() ? 0 : ThreadLocalRandom.current().nextInt(subsets.size());
        for (int i = 0; i < subsets.size(); i++) {
            EndpointSubset subset = subsets.get((start + i) % subsets.size());
            if (subset.getAddresses() == null || subset.getAddresses().isEmpty() || subset.getPorts() == null) {
                continue;
            }
            for (EndpointPort port : subset.getPorts()) {
                if (portName.equals(port.getName() == null ? "" : port.getName())) {
                    List<EndpointAddress> addresses = new ArrayList<>(subset.getAddresses());
                    String ip = addresses.get(ThreadLocalRandom.current().nextInt(addresses.size())).getIp();
                    requireProxyable(ip);
                    return new Target(id.schemeOrHttp(), host(ip) + ":" + port.getPort());
                }
            }
        }
        throw unavailable("no endpoints available for service \"" + id.name() + "\"");
    }

    /** An IP as a URL's host: an IPv6 address in brackets. */
    private static String host(String ip) {
        return ip.contains(":") ? "[" + ip + "]" : ip;
    }

    /** {@code proxyutil.IsProxyableIP}: not loopback, link-local, multicast or unspecified. */
    private static void requireProxyable(String ip) {
        InetAddress address = null;
        try {
            if (ip != null && !ip.isEmpty() && (Character.isDigit(ip.charAt(0)) || ip.contains(":"))) {
                address = InetAddress.getByName(ip);
            }
        } catch (UnknownHostException e) {
            address = null;
        }
        if (address == null || address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isMulticastAddress()
                || address.isAnyLocalAddress()) {
            throw ApiException.badRequest("address not allowed");
        }
    }

    private Mono<Void> forward(Target target, String rest, ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        ServerHttpResponse response = exchange.getResponse();
        String query = request.getURI().getRawQuery();
        String uri = target.scheme() + "://" + target.hostPort() + rest + (query == null ? "" : "?" + query);
        NettyDataBufferFactory buffers = (NettyDataBufferFactory) response.bufferFactory();
        return http.headers(h -> request.getHeaders().forEach((name, values) -> {
                    if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                        h.add(name, values);
                    }
                }))
                .request(io.netty.handler.codec.http.HttpMethod.valueOf(request.getMethod().name()))
                .uri(uri)
                .send(request.getBody().map(NettyDataBufferFactory::toByteBuf))
                .response((answer, body) -> {
                    response.setRawStatusCode(answer.status().code());
                    answer.responseHeaders().forEach(e -> {
                        if (!NOT_FORWARDED.contains(e.getKey().toLowerCase(Locale.ROOT))) {
                            response.getHeaders().add(e.getKey(), e.getValue());
                        }
                    });
                    return response.writeWith(body.map(b -> buffers.wrap(b.retain())));
                })
                .then()
                .onErrorMap(e -> !(e instanceof ApiException), e -> unavailable("error trying to reach "
                        + (e instanceof ConnectException ? "the target: dial tcp " + target.hostPort() + ": connect: connection refused"
                        : "the target " + target.hostPort() + ": " + e.getMessage())));
    }

    private static ApiException unavailable(String message) {
        return ApiException.of(503, "ServiceUnavailable", message);
    }
}
