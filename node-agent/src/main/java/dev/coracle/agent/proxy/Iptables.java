package dev.coracle.agent.proxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The {@code iptables} commands the proxy needs: rewriting its chains in one {@code iptables-restore --noflush}
 * (atomic per table, waiting for the xtables lock as kube-proxy does), reading which chains exist, the jumps from the
 * built-in chains into its own, and removing all of it.
 */
final class Iptables {

    /** Built-in chain → the jump into this proxy's chain, as kube-proxy writes them. */
    private static final List<String[]> JUMPS = List.of(
            new String[]{"nat", "PREROUTING", "-m", "comment", "--comment", "kubernetes service portals", "-j", ProxyRules.SERVICES},
            new String[]{"nat", "OUTPUT", "-m", "comment", "--comment", "kubernetes service portals", "-j", ProxyRules.SERVICES},
            new String[]{"nat", "POSTROUTING", "-m", "comment", "--comment", "kubernetes postrouting rules", "-j", ProxyRules.POSTROUTING},
            new String[]{"filter", "OUTPUT", "-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment",
                    "kubernetes service portals", "-j", ProxyRules.SERVICES},
            new String[]{"filter", "FORWARD", "-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment",
                    "kubernetes service portals", "-j", ProxyRules.SERVICES});

    /** Whether this process may program iptables: root, and the tools installed. */
    static boolean available() {
        return "root".equals(System.getProperty("user.name")) && onPath("iptables-restore") && onPath("iptables-save") && onPath("iptables");
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }

    /** The chains of the nat table. */
    Set<String> natChains() throws IOException {
        Set<String> chains = new TreeSet<>();
        for (String line : run(null, "iptables-save", "-t", "nat").split("\n")) {
            if (line.startsWith(":")) {
                chains.add(line.substring(1, line.indexOf(' ')));
            }
        }
        return chains;
    }

    void restore(String input) throws IOException {
        run(input, "iptables-restore", "-w", "5", "--noflush");
    }

    /** Adds the jumps from the built-in chains that are missing (each once, first in its chain). */
    void ensureJumps() throws IOException {
        for (String[] jump : JUMPS) {
            List<String> rule = List.of(jump).subList(2, jump.length);
            if (!succeeds(command("-C", jump[0], jump[1], rule))) {
                run(null, command("-I", jump[0], jump[1], rule).toArray(String[]::new));
            }
        }
    }

    /** Removes the jumps and every chain of the proxy (kube-proxy's {@code --cleanup}). */
    void cleanup() throws IOException {
        for (String[] jump : JUMPS) {
            List<String> rule = List.of(jump).subList(2, jump.length);
            while (succeeds(command("-C", jump[0], jump[1], rule))) {
                run(null, command("-D", jump[0], jump[1], rule).toArray(String[]::new));
            }
        }
        StringBuilder nat = new StringBuilder("*nat\n");
        List<String> chains = new ArrayList<>(natChains().stream().filter(c -> ProxyRules.ours(c) || c.equals(ProxyRules.SERVICES)
                || c.equals(ProxyRules.NODEPORTS) || c.equals(ProxyRules.POSTROUTING) || c.equals(ProxyRules.MARK_MASQ)).toList());
        chains.forEach(c -> nat.append(':').append(c).append(" - [0:0]\n"));
        chains.forEach(c -> nat.append("-X ").append(c).append('\n'));
        nat.append("COMMIT\n");
        restore(nat.toString());
        if (succeeds(List.of("iptables", "-w", "5", "-t", "filter", "-L", ProxyRules.SERVICES, "-n"))) {
            restore("*filter\n:" + ProxyRules.SERVICES + " - [0:0]\n-X " + ProxyRules.SERVICES + "\nCOMMIT\n");
        }
    }

    private static List<String> command(String action, String table, String chain, List<String> rule) {
        List<String> command = new ArrayList<>(List.of("iptables", "-w", "5", "-t", table, action, chain));
        command.addAll(rule);
        return command;
    }

    private static boolean succeeds(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return waitFor(p, command) == 0;
    }

    private static String run(String input, String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (input != null) {
            p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (waitFor(p, List.of(command)) != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out.strip());
        }
        return out;
    }

    private static int waitFor(Process p, List<String> command) throws IOException {
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in 30 s");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
