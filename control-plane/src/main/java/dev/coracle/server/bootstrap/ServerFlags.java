package dev.coracle.server.bootstrap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns k3s-style flags ({@code --data-dir X}, {@code --tls-san a --tls-san b}) into Spring Boot
 * properties ({@code --coracle.data-dir=X}, {@code --coracle.tls-san[0]=a}), so the launcher and
 * the jar take the same flags k3s users know. Flags of k3s that name parts Coracle does not have
 * ({@code --disable traefik}, {@code --flannel-iface}) are accepted so that a k3s install line works
 * unchanged; {@link DisabledComponents} says what they amount to.
 */
public final class ServerFlags {

    private static final Map<String, String> FLAGS = Map.ofEntries(
            Map.entry("data-dir", "coracle.data-dir"),
            Map.entry("datastore-endpoint", "coracle.datastore-endpoint"),
            Map.entry("bind-address", "coracle.bind-address"),
            Map.entry("https-listen-port", "coracle.https-listen-port"),
            Map.entry("tls-san", "coracle.tls-san"),
            Map.entry("token", "coracle.token"),
            Map.entry("service-cidr", "coracle.service-cidr"),
            Map.entry("cluster-cidr", "coracle.cluster-cidr"),
            Map.entry("advertise-address", "coracle.advertise-address"),
            Map.entry("disable", "coracle.disable"),
            Map.entry("write-kubeconfig-mode", "coracle.write-kubeconfig-mode"),
            // the interface whose address the launcher takes as the node IP; recorded for the log only
            Map.entry("flannel-iface", "coracle.iface"),
            Map.entry("iface", "coracle.iface"));

    private static final List<String> REPEATABLE = List.of("tls-san", "disable");

    /**
     * Flags without a value. {@code --disable-agent}: this process is only the control plane; the
     * launcher ({@code ./coracle server}) is what starts an agent beside it unless told not to.
     */
    private static final Map<String, String> SWITCHES = Map.of("disable-agent", "coracle.disable-agent");

    private ServerFlags() {
    }

    public static String[] toProperties(String... args) {
        List<String> out = new ArrayList<>();
        Map<String, Integer> counts = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.startsWith("--coracle.") || arg.startsWith("--spring.")
                    || arg.startsWith("--server.") || arg.startsWith("--logging.") || arg.startsWith("--management.")) {
                out.add(arg);
                continue;
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (SWITCHES.containsKey(name)) {
                out.add("--" + SWITCHES.get(name) + "=" + (value == null ? "true" : value));
                continue;
            }
            String property = FLAGS.get(name);
            if (property == null) {
                throw new IllegalArgumentException("unknown flag: --" + name);
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("flag needs an argument: --" + name);
                }
                value = args[++i];
            }
            if (REPEATABLE.contains(name)) {
                int n = counts.merge(name, 1, Integer::sum) - 1;
                out.add("--" + property + "[" + n + "]=" + value);
            } else {
                out.add("--" + property + "=" + value);
            }
        }
        return out.toArray(String[]::new);
    }
}
