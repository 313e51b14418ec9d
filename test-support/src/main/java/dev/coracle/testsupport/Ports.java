package dev.coracle.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free ports of 127.0.0.1 for the processes a test starts. */
public final class Ports {

    private Ports() {
    }

    /** Any free port, as the kernel hands out ephemeral ones. */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A free port within a range: a test's own, so parallel work on the machine does not collide. */
    public static int free(int from, int to) {
        for (int port = from; port <= to; port++) {
            if (isFree(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port in " + from + "-" + to);
    }

    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
