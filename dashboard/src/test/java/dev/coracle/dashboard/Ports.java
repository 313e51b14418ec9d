package dev.coracle.dashboard;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** A free port of 127.0.0.1 within a range (the tests' own, so parallel work on the machine does not collide). */
final class Ports {

    private Ports() {
    }

    static int free(int from, int to) {
        for (int p = from; p <= to; p++) {
            try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
                return p;
            } catch (IOException e) {
                // taken
            }
        }
        throw new IllegalStateException("no free port in " + from + "-" + to);
    }
}
