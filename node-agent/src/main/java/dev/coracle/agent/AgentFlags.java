package dev.coracle.agent;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The agent's k3s-style flags: {@code --server URL --token TOKEN [--node-name N] [--node-ip IP]
 * [--data-dir DIR] [--node-label k=v]... [--node-taint k=v:Effect]... [--runtime process] [--agent-port 10250]}, and the
 * kubelet's {@code --container-log-max-size 10Mi}, {@code --container-log-max-files 5}, {@code --pod-max-pids};
 * {@code --restart-backoff-base 10s} and {@code --restart-backoff-max 5m} (the kubelet's fixed crash
 * back-off, settable here so tests need not wait); {@code --stop-pods-on-exit} (by default the pods run
 * on when the agent stops, as with a kubelet restart, and the next agent adopts them).
 * The agent port serves logs, exec and stats to the control plane; agents sharing a machine each take their own.
 * kube-proxy's {@code --proxy-mode iptables|none} (default: iptables where the agent may write the NAT table, i.e. as
 * root with {@code iptables-restore} installed) and {@code --cluster-cidr 10.42.0.0/16} (whose traffic to Services is
 * not masqueraded).
 */
public record AgentFlags(String server, String token, String nodeName, String nodeIp, Path dataDir,
                         Map<String, String> labels, List<Taint> taints, String runtime,
                         long containerLogMaxSize, int containerLogMaxFiles, Duration restartBackOffBase,
                         Duration restartBackOffMax, long podMaxPids, boolean stopPodsOnExit, int agentPort,
                         String proxyMode, String clusterCidr) {

    public static final int DEFAULT_AGENT_PORT = 10250;

    public static AgentFlags parse(String... args) {
        String server = null;
        String token = null;
        String nodeName = null;
        String nodeIp = null;
        String dataDir = "./data/agent";
        String runtime = "process";
        long logMaxSize = 10L * 1024 * 1024;
        int logMaxFiles = 5;
        Duration backOffBase = Duration.ofSeconds(10);
        Duration backOffMax = Duration.ofMinutes(5);
        long podMaxPids = -1;
        boolean stopPodsOnExit = false;
        int agentPort = DEFAULT_AGENT_PORT;
        String proxyMode = "";
        String clusterCidr = "10.42.0.0/16";
        Map<String, String> labels = new LinkedHashMap<>();
        List<Taint> taints = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + arg);
            }
            String name = arg.substring(2);
            if (name.equals("stop-pods-on-exit")) {
                stopPodsOnExit = true;
                continue;
            }
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("flag needs an argument: --" + name);
                }
                value = args[++i];
            }
            switch (name) {
                case "server" -> server = value.replaceAll("/+$", "");
                case "token" -> token = value.trim();
                case "node-name" -> nodeName = value;
                case "node-ip" -> nodeIp = value;
                case "data-dir" -> dataDir = value;
                case "runtime" -> runtime = value;
                case "agent-port" -> agentPort = port(value);
                case "node-label" -> {
                    int at = value.indexOf('=');
                    if (at <= 0) {
                        throw new IllegalArgumentException("--node-label wants key=value, got " + value);
                    }
                    labels.put(value.substring(0, at), value.substring(at + 1));
                }
                case "node-taint" -> taints.add(taint(value));
                case "container-log-max-size" -> logMaxSize = bytes("--container-log-max-size", value);
                case "container-log-max-files" -> {
                    logMaxFiles = integer("--container-log-max-files", value);
                    if (logMaxFiles < 2) {
                        throw new IllegalArgumentException("--container-log-max-files must be at least 2, got " + value);
                    }
                }
                case "restart-backoff-base" -> backOffBase = duration("--restart-backoff-base", value);
                case "restart-backoff-max" -> backOffMax = duration("--restart-backoff-max", value);
                case "pod-max-pids" -> podMaxPids = integer("--pod-max-pids", value);
                case "proxy-mode" -> proxyMode = value;
                case "cluster-cidr" -> clusterCidr = value;
                default -> throw new IllegalArgumentException("unknown flag: --" + name);
            }
        }
        if (server == null || !server.startsWith("https://")) {
            throw new IllegalArgumentException("--server https://HOST:PORT is required");
        }
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("--token is required (the server's DATA_DIR/token)");
        }
        if (!runtime.equals("process")) {
            throw new IllegalArgumentException("unknown --runtime " + runtime + " (this agent has: process)");
        }
        if (!proxyMode.isEmpty() && !proxyMode.equals("iptables") && !proxyMode.equals("none")) {
            throw new IllegalArgumentException("unknown --proxy-mode " + proxyMode + " (iptables or none)");
        }
        if (!clusterCidr.matches("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}")) {
            throw new IllegalArgumentException("--cluster-cidr wants an IPv4 CIDR such as 10.42.0.0/16, got " + clusterCidr);
        }
        if (nodeName == null) {
            nodeName = hostname().toLowerCase(Locale.ROOT);
        }
        if (nodeIp == null) {
            nodeIp = defaultIp();
        }
        return new AgentFlags(server, token, nodeName, nodeIp, Path.of(dataDir).toAbsolutePath(),
                Collections.unmodifiableMap(labels), List.copyOf(taints), runtime, logMaxSize, logMaxFiles, backOffBase,
                backOffMax.compareTo(backOffBase) < 0 ? backOffBase : backOffMax, podMaxPids, stopPodsOnExit, agentPort,
                proxyMode, clusterCidr);
    }

    /** A quantity of bytes: {@code 10Mi}, {@code 512Ki}, {@code 1G}, {@code 4096}. */
    static long bytes(String flag, String value) {
        try {
            long n = Quantity.getAmountInBytes(new Quantity(value)).longValueExact();
            if (n <= 0) {
                throw new ArithmeticException();
            }
            return n;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(flag + " wants a size such as 10Mi, got " + value);
        }
    }

    static int integer(String flag, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " wants a number, got " + value);
        }
    }

    /** Go-style durations: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}. */
    static Duration duration(String flag, String value) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException(flag + " wants a duration such as 10s or 500ms, got " + value);
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.isZero()) {
            throw new IllegalArgumentException(flag + " must be positive, got " + value);
        }
        return d;
    }

    private static int port(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port > 0 && port < 65536) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("--agent-port wants a port number (1-65535), got " + value);
    }

    /** {@code key=value:Effect} or {@code key:Effect}. */
    static Taint taint(String spec) {
        int colon = spec.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--node-taint wants key=value:Effect, got " + spec);
        }
        String effect = spec.substring(colon + 1);
        if (!List.of("NoSchedule", "PreferNoSchedule", "NoExecute").contains(effect)) {
            throw new IllegalArgumentException("--node-taint effect must be NoSchedule, PreferNoSchedule or NoExecute, got " + effect);
        }
        String kv = spec.substring(0, colon);
        int eq = kv.indexOf('=');
        return new TaintBuilder().withKey(eq < 0 ? kv : kv.substring(0, eq)).withValue(eq < 0 ? null : kv.substring(eq + 1))
                .withEffect(effect).build();
    }

    static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
    }

    /** The first non-loopback IPv4 address, or 127.0.0.1. */
    static String defaultIp() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof java.net.Inet4Address) {
                        return address.getHostAddress();
                    }
                }
            }
        } catch (SocketException ignored) {
            // fall through
        }
        return "127.0.0.1";
    }
}
