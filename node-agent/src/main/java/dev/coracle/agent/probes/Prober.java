package dev.coracle.agent.probes;

import dev.coracle.agent.join.Join;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ExecAction;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.TCPSocketAction;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the three kinds of probe and lifecycle handler the kubelet has, for the process runtime:
 * {@code exec} runs the command on the host with the container's environment and working
 * directory (success is exit code 0), {@code httpGet} asks the pod's IP (or {@code host}) and succeeds on
 * 200–399 without following redirects to other hosts, {@code tcpSocket} succeeds when a connection opens.
 * Each within {@code timeoutSeconds}. Outputs are worded as the kubelet's.
 */
public final class Prober {

    private static final int MAX_OUTPUT = 10 * 1024;
    // made at the first httpGet probe: each client has its own selector thread and pools, which most nodes never use
    private HttpClient http;
    private HttpClient https;

    private synchronized HttpClient client(boolean tls) {
        if (tls) {
            if (https == null) {
                https = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).sslContext(Join.trustingAnything()).build();
            }
            return https;
        }
        if (http == null) {
            http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        }
        return http;
    }

    public ProbeResult exec(ExecAction action, Map<String, String> env, String workingDir, Duration timeout) {
        List<String> command = action.getCommand();
        if (command == null || command.isEmpty()) {
            return ProbeResult.failed("exec probe has no command");
        }
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        builder.environment().putAll(env);
        if (workingDir != null && !workingDir.isBlank() && new File(workingDir).isDirectory()) {
            builder.directory(new File(workingDir));
        }
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p;
        try {
            p = builder.start();
        } catch (IOException e) {
            return ProbeResult.failed("exec: \"" + command.get(0) + "\": executable file not found in $PATH");
        }
        try {
            // read in the background: a chatty probe must not block on a full pipe
            var out = new java.io.ByteArrayOutputStream();
            Thread reader = new Thread(() -> {
                try {
                    p.getInputStream().transferTo(out);
                } catch (IOException ignored) {
                    // the process went away
                }
            }, "probe-output");
            reader.setDaemon(true);
            reader.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return ProbeResult.failed("command timed out: \"" + String.join(" ", command) + "\" timed out after " + timeout.toSeconds() + "s");
            }
            reader.join(1000);
            String output = truncate(out.toString(StandardCharsets.UTF_8));
            return p.exitValue() == 0 ? ProbeResult.ok(output)
                    : ProbeResult.failed(output.isEmpty() ? "command \"" + String.join(" ", command) + "\" exited with " + p.exitValue() : output);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return ProbeResult.failed("interrupted");
        }
    }

    public ProbeResult httpGet(HTTPGetAction action, Container container, String podIp, Duration timeout) {
        int port;
        try {
            port = port(action.getPort(), container);
        } catch (IllegalArgumentException e) {
            return ProbeResult.failed(e.getMessage());
        }
        String scheme = action.getScheme() == null ? "http" : action.getScheme().toLowerCase(java.util.Locale.ROOT);
        String host = action.getHost() == null || action.getHost().isEmpty() ? podIp : action.getHost();
        String path = action.getPath() == null || action.getPath().isEmpty() ? "/" : action.getPath();
        if (!path.startsWith("/")) {
            path = "/" + path;
        }
        String hostPart = host.contains(":") ? "[" + host + "]" : host;
        URI uri = URI.create(scheme + "://" + hostPart + ":" + port + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET()
                .header("User-Agent", "kube-probe/1.32").header("Accept", "*/*");
        if (action.getHttpHeaders() != null) {
            for (HTTPHeader h : action.getHttpHeaders()) {
                try {
                    request.setHeader(h.getName(), h.getValue());
                } catch (IllegalArgumentException restricted) {
                    // Host and friends are the client's to set
                }
            }
        }
        try {
            HttpResponse<byte[]> response = client(scheme.equals("https")).send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            int code = response.statusCode();
            if (code >= 200 && code < 400) {
                return ProbeResult.ok("");
            }
            String body = truncate(new String(response.body(), StandardCharsets.UTF_8));
            return ProbeResult.failed("HTTP probe failed with statuscode: " + code + (body.isEmpty() ? "" : "\n" + body));
        } catch (HttpTimeoutException e) {
            return ProbeResult.failed("Get \"" + uri + "\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
        } catch (IOException e) {
            return ProbeResult.failed("Get \"" + uri + "\": dial tcp " + hostPart + ":" + port + ": connect: connection refused");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ProbeResult.failed("interrupted");
        }
    }

    public ProbeResult tcpSocket(TCPSocketAction action, Container container, String podIp, Duration timeout) {
        int port;
        try {
            port = port(action.getPort(), container);
        } catch (IllegalArgumentException e) {
            return ProbeResult.failed(e.getMessage());
        }
        String host = action.getHost() == null || action.getHost().isEmpty() ? podIp : action.getHost();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
            return ProbeResult.ok("");
        } catch (java.net.SocketTimeoutException e) {
            return ProbeResult.failed("dial tcp " + host + ":" + port + ": i/o timeout");
        } catch (IOException e) {
            return ProbeResult.failed("dial tcp " + host + ":" + port + ": connect: connection refused");
        }
    }

    /** A number, or the name of one of the container's ports. */
    static int port(IntOrString port, Container container) {
        if (port == null) {
            throw new IllegalArgumentException("probe has no port");
        }
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        String name = port.getStrVal();
        if (name != null && name.matches("\\d+")) {
            return Integer.parseInt(name);
        }
        if (container.getPorts() != null) {
            for (ContainerPort p : container.getPorts()) {
                if (name != null && name.equals(p.getName())) {
                    return p.getContainerPort();
                }
            }
        }
        throw new IllegalArgumentException("couldn't find port: " + name + " in container " + container.getName());
    }

    private static String truncate(String s) {
        return s.length() > MAX_OUTPUT ? s.substring(0, MAX_OUTPUT) : s;
    }
}
