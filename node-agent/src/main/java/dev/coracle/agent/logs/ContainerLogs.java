package dev.coracle.agent.logs;

import java.nio.file.Path;

/**
 * Where containers' output goes, as the kubelet lays it out:
 * {@code DATA_DIR/pods/<namespace>_<name>_<uid>/<container>/<restartCount>.log}, stdout and stderr interleaved.
 */
public final class ContainerLogs {

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
}
