package dev.coracle.dashboard;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The launcher's flags: {@code --kubeconfig FILE [--port 8080] [--bind-address 127.0.0.1] [--auth auto|token]
 * [--session-timeout 12h] [--tls-cert-file F --tls-private-key-file F]}, turned into Spring properties.
 * Any {@code --some.spring.property=value} is passed through as is.
 */
public record DashboardFlags(Path kubeconfig, int port, String bindAddress, String auth, Duration sessionTimeout,
                             Path tlsCert, Path tlsKey, Map<String, String> passThrough) {

    public static DashboardFlags parse(String... args) {
        Path kubeconfig = null;
        int port = 8080;
        String bind = "127.0.0.1";
        String auth = "auto";
        Duration session = Duration.ofHours(12);
        Path cert = null;
        Path key = null;
        Map<String, String> pass = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + arg);
            }
            String name = arg.substring(2);
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
                case "kubeconfig" -> kubeconfig = Path.of(value);
                case "port" -> port = Integer.parseInt(value);
                case "bind-address" -> bind = value;
                case "auth" -> auth = value;
                case "session-timeout" -> session = duration(value);
                case "tls-cert-file" -> cert = Path.of(value);
                case "tls-private-key-file" -> key = Path.of(value);
                default -> {
                    if (!name.contains(".")) {
                        throw new IllegalArgumentException("unknown flag: --" + name);
                    }
                    pass.put(name, value);
                }
            }
        }
        if (kubeconfig == null) {
            String env = System.getenv("KUBECONFIG");
            kubeconfig = Path.of(env != null && !env.isBlank() ? env.split(":")[0] : System.getProperty("user.home") + "/.kube/config");
        }
        if (!Files.isReadable(kubeconfig)) {
            throw new IllegalArgumentException("--kubeconfig " + kubeconfig + " is not a readable file");
        }
        if (!auth.equals("auto") && !auth.equals("token")) {
            throw new IllegalArgumentException("--auth wants auto (loopback: no login; else token) or token, got " + auth);
        }
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("--tls-cert-file and --tls-private-key-file go together");
        }
        return new DashboardFlags(kubeconfig.toAbsolutePath(), port, bind, auth, session, cert, key, pass);
    }

    /** "12h", "30m", "90s" or an ISO-8601 duration. */
    static Duration duration(String value) {
        String v = value.trim().toLowerCase();
        if (v.startsWith("p")) {
            return Duration.parse(v.toUpperCase());
        }
        long n = Long.parseLong(v.substring(0, v.length() - 1));
        return switch (v.charAt(v.length() - 1)) {
            case 'h' -> Duration.ofHours(n);
            case 'm' -> Duration.ofMinutes(n);
            case 's' -> Duration.ofSeconds(n);
            case 'd' -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException("--session-timeout wants e.g. 12h, 30m, got " + value);
        };
    }

    /** Local mode (no login, the kubeconfig's own user) only on a loopback address and unless tokens were asked for. */
    public boolean shared() {
        return auth.equals("token") || !loopback(bindAddress);
    }

    /** HTTPS when a certificate is given, and always in shared mode off loopback (tokens cross the network). */
    public boolean tls() {
        return tlsCert != null || (shared() && !loopback(bindAddress));
    }

    public boolean needsGeneratedCertificate() {
        return tls() && tlsCert == null;
    }

    static boolean loopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--bind-address " + address + " is not an address");
        }
    }

    Map<String, Object> asProperties() {
        return asProperties(null);
    }

    /** The Spring properties; {@code generated} is a self-signed certificate and key for HTTPS when none was given. */
    Map<String, Object> asProperties(Path[] generated) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("coracle.dashboard.kubeconfig", kubeconfig.toString());
        p.put("coracle.dashboard.shared", shared());
        p.put("server.port", port);
        p.put("server.address", bindAddress);
        p.put("server.servlet.session.timeout", sessionTimeout.getSeconds() + "s");
        // shared mode off loopback: the token crosses the network, so HTTPS (a self-signed certificate if none given)
        if (tlsCert != null) {
            p.put("coracle.dashboard.tls-cert-file", tlsCert.toAbsolutePath().toString());
            p.put("coracle.dashboard.tls-private-key-file", tlsKey.toAbsolutePath().toString());
        }
        boolean tls = tls();
        p.put("coracle.dashboard.tls", tls);
        Path cert = tlsCert != null ? tlsCert : generated == null ? null : generated[0];
        Path key = tlsKey != null ? tlsKey : generated == null ? null : generated[1];
        if (tls && cert != null) {
            p.put("server.ssl.certificate", "file:" + cert.toAbsolutePath());
            p.put("server.ssl.certificate-private-key", "file:" + key.toAbsolutePath());
            p.put("server.http2.enabled", true);
        }
        p.putAll(passThrough);
        return p;
    }
}
