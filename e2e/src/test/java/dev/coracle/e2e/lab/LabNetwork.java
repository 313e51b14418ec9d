package dev.coracle.e2e.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The lab's private network on one machine: a bridge ({@code clab-br0}, 10.211.0.1/24 on the host
 * side, so kubectl here reaches the nodes as the Vagrant host reaches its VMs) and one network
 * namespace per node ({@code clab-NAME}) with its own address on an {@code eth1}, as a VM's
 * host-only NIC. {@link #close()} removes all of it; a leftover of an earlier run is removed first.
 */
final class LabNetwork implements AutoCloseable {

    static final String BRIDGE = "clab-br0";
    static final String HOST_IP = "10.211.0.1";

    private final Map<String, String> nodes = new LinkedHashMap<>();

    private LabNetwork() {
    }

    /** {@code names[i]} gets 10.211.0.(10+i). */
    static LabNetwork create(String... names) {
        LabNetwork network = new LabNetwork();
        for (String name : names) {
            network.nodes.put(name, "10.211.0." + (10 + network.nodes.size()));
        }
        network.removeLeftovers();
        try {
            ip("link", "add", BRIDGE, "type", "bridge");
            ip("addr", "add", HOST_IP + "/24", "dev", BRIDGE);
            ip("link", "set", BRIDGE, "up");
            for (Map.Entry<String, String> node : network.nodes.entrySet()) {
                String ns = namespace(node.getKey());
                ip("netns", "add", ns);
                ip("link", "add", ns, "type", "veth", "peer", "name", "eth1", "netns", ns);
                ip("link", "set", ns, "master", BRIDGE, "up");
                ip("-n", ns, "addr", "add", node.getValue() + "/24", "dev", "eth1");
                ip("-n", ns, "link", "set", "eth1", "up");
                ip("-n", ns, "link", "set", "lo", "up");
            }
            return network;
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    static String namespace(String node) {
        return "clab-" + node;
    }

    String ipOf(String node) {
        return nodes.get(node);
    }

    /** {@code ip netns exec clab-NODE COMMAND...} */
    List<String> inNode(String node, String... command) {
        List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", namespace(node)));
        out.addAll(List.of(command));
        return out;
    }

    @Override
    public void close() {
        removeLeftovers();
    }

    private void removeLeftovers() {
        for (String node : nodes.keySet()) {
            run(false, "ip", "netns", "del", namespace(node));
            run(false, "ip", "link", "del", namespace(node));
        }
        run(false, "ip", "link", "del", BRIDGE);
    }

    static boolean available() {
        return ProcessHandle.current().info().user().map("root"::equals).orElse(false)
                && run(false, "ip", "netns", "list") == 0;
    }

    private static void ip(String... args) {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        run(true, command.toArray(String[]::new));
    }

    private static int run(boolean check, String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish");
            }
            if (check && process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
            return process.exitValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
