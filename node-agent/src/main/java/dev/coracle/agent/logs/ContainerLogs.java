package dev.coracle.agent.logs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where containers' output goes, as the kubelet lays it out:
 * {@code DATA_DIR/pods/<namespace>_<name>_<uid>/<container>/<restartCount>.log} in the CRI log format
 * ({@link CriLogWriter}), rotated to {@code <restartCount>.log.<yyyyMMdd-HHmmss>}.
 */
public final class ContainerLogs {

    private static final Pattern CURRENT = Pattern.compile("(\\d+)\\.log");

    private final Path root;

    public ContainerLogs(Path dataDir) {
        this.root = dataDir.resolve("pods");
    }

    public Path podDir(String namespace, String name, String uid) {
        return root.resolve(namespace + "_" + name + "_" + uid);
    }

    public Path logFile(String namespace, String name, String uid, String container, int restartCount) {
        return podDir(namespace, name, uid).resolve(container).resolve(restartCount + ".log");
    }

    /**
     * A new run of a container starts: like the kubelet, which garbage-collects all but the last dead
     * container, keep the previous run's logs (for {@code kubectl logs -p}) and delete older runs'.
     */
    public void pruneBefore(String namespace, String name, String uid, String container, int restartCount) {
        Path dir = podDir(namespace, name, uid).resolve(container);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String fileName = file.getFileName().toString();
                int dot = fileName.indexOf(".log");
                if (dot <= 0) {
                    continue;
                }
                Matcher m = CURRENT.matcher(fileName.substring(0, dot + 4));
                if (m.matches() && Integer.parseInt(m.group(1)) < restartCount - 1) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // a log we cannot prune is only disk space
        }
    }

    /** The pod is gone: its logs go with it, as the kubelet removes a deleted pod's log directory. */
    public void removePod(String namespace, String name, String uid) {
        deleteTree(podDir(namespace, name, uid));
    }

    /** Removes the log directory of the pod with this uid, whatever its name was. */
    public void removePodWithUid(String uid) {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.filter(d -> d.getFileName().toString().endsWith("_" + uid)).forEach(ContainerLogs::deleteTree);
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** Removes a directory and everything in it, as far as it can. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
