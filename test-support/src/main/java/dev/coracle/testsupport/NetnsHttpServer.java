package dev.coracle.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server (python3's http.server) at {@code PREFIX.2} inside a network namespace of the test's own, joined
 * to the host by a veth pair ({@code PREFIX.1} on the host side, a /30): a backend that test traffic can reach while
 * every packet stays on this machine. Needs root and {@code ip netns}; {@link #possible()} says whether it can run.
 */
public final class NetnsHttpServer implements AutoCloseable {

    private final String netns;
    private final String hostSide;
    private final String ip;
    private final int port;
    private final Process http;

    private NetnsHttpServer(String netns, String hostSide, String ip, int port, Process http) {
        this.netns = netns;
        this.hostSide = hostSide;
        this.ip = ip;
        this.port = port;
        this.http = http;
    }

    public static boolean possible() {
        return ProcessHandle.current().info().user().map("root"::equals).orElse(false) && run("ip", "netns", "list") == 0;
    }

    /**
     * Makes the namespace (removing a leftover of an earlier run) and serves {@code site} from it.
     *
     * @param prefix the first three octets of the /30, such as {@code 10.251.77}
     */
    public static NetnsHttpServer start(String netns, String hostSide, String prefix, int port, Path site) throws IOException {
        remove(netns, hostSide);
        String ip = prefix + ".2";
        check("ip", "netns", "add", netns);
        check("ip", "link", "add", hostSide, "type", "veth", "peer", "name", "eth0", "netns", netns);
        check("ip", "addr", "add", prefix + ".1/30", "dev", hostSide);
        check("ip", "link", "set", hostSide, "up");
        check("ip", "-n", netns, "addr", "add", ip + "/30", "dev", "eth0");
        check("ip", "-n", netns, "link", "set", "eth0", "up");
        check("ip", "-n", netns, "link", "set", "lo", "up");
        Process http = new ProcessBuilder("ip", "netns", "exec", netns, "python3", "-m", "http.server", String.valueOf(port), "--bind", ip)
                .directory(site.toFile()).redirectErrorStream(true).redirectOutput(Files.createTempFile("netns-http-", ".log").toFile()).start();
        NetnsHttpServer server = new NetnsHttpServer(netns, hostSide, ip, port, http);
        server.awaitListening();
        return server;
    }

    /** The server's address inside the namespace. */
    public String ip() {
        return ip;
    }

    public int port() {
        return port;
    }

    private void awaitListening() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(ip, port), 500);
                return;
            } catch (IOException e) {
                sleep();
            }
        }
        close();
        throw new IOException("the HTTP server in " + netns + " did not start");
    }

    @Override
    public void close() {
        try {
            http.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        remove(netns, hostSide);
    }

    private static void remove(String netns, String hostSide) {
        run("ip", "netns", "del", netns);
        run("ip", "link", "del", hostSide);
    }

    private static void check(String... command) throws IOException {
        if (run(command) != 0) {
            throw new IOException(String.join(" ", command) + " failed");
        }
    }

    private static int run(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
