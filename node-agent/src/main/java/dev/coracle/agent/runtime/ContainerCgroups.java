package dev.coracle.agent.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cgroups a container's process is in that are its own — those where its path differs from the
 * agent's — as directories, by controller: {@code ""} for the cgroup v2 hierarchy, {@code cpuacct},
 * {@code memory}, ... for v1 ones (hybrid machines have both). Mount points come from
 * {@code /proc/self/mountinfo}, so v2 at {@code /sys/fs/cgroup} and at {@code /sys/fs/cgroup/unified} alike.
 */
public final class ContainerCgroups {

    private ContainerCgroups() {
    }

    public static Map<String, Path> of(long pid) {
        Map<String, String> theirs = memberships(Path.of("/proc", String.valueOf(pid), "cgroup"));
        Map<String, String> ours = memberships(Path.of("/proc/self/cgroup"));
        Map<String, Path> mounts = mounts();
        Map<String, Path> out = new LinkedHashMap<>();
        theirs.forEach((controllers, path) -> {
            if (path.equals(ours.get(controllers)) || path.equals("/")) {
                return;
            }
            for (String controller : controllers.split(",")) {
                Path mount = mounts.get(controller);
                if (mount != null) {
                    out.put(controller, Path.of(mount + path));
                }
            }
        });
        return out;
    }

    /** {@code controllers -> path} of a {@code /proc/PID/cgroup} file; v2's line has controllers "". */
    private static Map<String, String> memberships(Path file) {
        Map<String, String> out = new HashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String[] parts = line.split(":", 3);
                if (parts.length == 3) {
                    out.put(parts[1], parts[2]);
                }
            }
        } catch (IOException e) {
            // gone, or not Linux
        }
        return out;
    }

    /** Where each controller's hierarchy is mounted ({@code ""} for cgroup2). */
    private static Map<String, Path> mounts() {
        Map<String, Path> out = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] halves = line.split(" - ", 2);
                if (halves.length < 2) {
                    continue;
                }
                String[] before = halves[0].split(" ");
                String[] after = halves[1].split(" ");
                if (before.length < 5 || after.length < 3) {
                    continue;
                }
                Path mountPoint = Path.of(before[4]);
                if (after[0].equals("cgroup2")) {
                    out.putIfAbsent("", mountPoint);
                } else if (after[0].equals("cgroup")) {
                    for (String option : after[2].split(",")) {
                        if (!option.equals("rw") && !option.equals("ro") && !option.startsWith("relatime")) {
                            out.putIfAbsent(option, mountPoint);
                        }
                    }
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return out;
    }
}
