package dev.coracle.e2e.lab;

import dev.coracle.testsupport.Ports;

import java.util.concurrent.ThreadLocalRandom;

/** Free ports in a row, for commands that number their ports from one base (the demo's agents: base, base+1, ...). */
final class LabPorts {

    private static final int FIRST = 21000;
    private static final int LAST = 21999;

    private LabPorts() {
    }

    static int[] consecutive(int count) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(FIRST, LAST - count);
            int[] ports = new int[count];
            boolean free = true;
            for (int i = 0; i < count && free; i++) {
                ports[i] = base + i;
                free = Ports.isFree(ports[i]);
            }
            if (free) {
                return ports;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports in " + FIRST + "-" + LAST);
    }
}
