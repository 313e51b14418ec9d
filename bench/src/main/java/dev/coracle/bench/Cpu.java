package dev.coracle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time of the server process, of this client process, and of the whole machine, from /proc. */
final class Cpu {

    private static final double TICKS = 100.0; // USER_HZ on Linux

    record Snapshot(long nanos, double serverSec, double clientSec, double machineBusySec, double machineTotalSec) {
    }

    record Usage(double seconds, double serverCores, double clientCores, double machineBusyCores, int cores) {
        String describe() {
            return String.format("server %.2f cores, bench client %.2f cores, whole machine %.2f of %d cores busy",
                    serverCores, clientCores, machineBusyCores, cores);
        }
    }

    private Cpu() {
    }

    static Snapshot snapshot(long serverPid) {
        double[] machine = machine();
        return new Snapshot(System.nanoTime(), processSeconds(serverPid), processSeconds(ProcessHandle.current().pid()),
                machine[0], machine[1]);
    }

    static Usage between(Snapshot a, Snapshot b) {
        double wall = (b.nanos() - a.nanos()) / 1e9;
        int cores = Runtime.getRuntime().availableProcessors();
        double total = b.machineTotalSec() - a.machineTotalSec();
        double busyShare = total <= 0 ? 0 : (b.machineBusySec() - a.machineBusySec()) / total;
        return new Usage(wall, (b.serverSec() - a.serverSec()) / wall, (b.clientSec() - a.clientSec()) / wall,
                busyShare * cores, cores);
    }

    static double processSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields after the command: state(3) ... utime(14) stime(15), here 0-based from state
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static double[] machine() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new double[]{(total - idle) / TICKS, total / TICKS};
        } catch (IOException | RuntimeException e) {
            return new double[]{Double.NaN, Double.NaN};
        }
    }
}
