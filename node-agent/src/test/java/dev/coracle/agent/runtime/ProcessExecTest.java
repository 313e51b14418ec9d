package dev.coracle.agent.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/** Exec beside a real container process: its environment, its directory and the cgroups it is in. */
class ProcessExecTest {

    @TempDir
    Path tmp;

    private final ProcessRuntime runtime = new ProcessRuntime();

    private ContainerHandle container(List<String> command, Map<String, String> env) {
        return runtime.start(new ContainerSpec("uid-1", "default", "exec-test", "main", "busybox", command, env,
                tmp.toString(), tmp.resolve("logs/0.log")));
    }

    private static String run(ExecProcess exec) throws Exception {
        exec.process().getOutputStream().close();
        String out = new String(exec.process().getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(exec.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void theCommandGetsTheContainersEnvironmentAndDirectory() throws Exception {
        ContainerHandle handle = container(List.of("sh", "-c", "sleep 60"), Map.of("GREETING", "from the container"));
        try {
            ExecProcess exec = runtime.exec(handle, List.of("sh", "-c", "echo \"$GREETING\"; pwd; exit 4"), false);
            assertThat(run(exec)).isEqualTo("from the container\n" + tmp.toRealPath() + "\n");
            assertThat(exec.process().exitValue()).isEqualTo(4);
        } finally {
            handle.stop(Duration.ZERO);
        }
        assertThat(handle.mainPid()).isEmpty();
    }

    @Test
    void theCommandJoinsTheContainersOwnCgroups() throws Exception {
        assumeThat(System.getProperty("user.name")).as("creating cgroups needs root").isEqualTo("root");
        List<Path> made = new ArrayList<>();
        String name = "coracle-exec-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        for (String hierarchy : List.of("/sys/fs/cgroup/memory", "/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/unified", "/sys/fs/cgroup")) {
            Path dir = Path.of(hierarchy, name);
            if (Files.isRegularFile(Path.of(hierarchy, "cgroup.procs")) && Files.isWritable(Path.of(hierarchy, "cgroup.procs"))) {
                try {
                    Files.createDirectory(dir);
                    made.add(dir);
                } catch (java.io.IOException e) {
                    // this hierarchy takes no new group here
                }
            }
        }
        assumeThat(made).as("a writable cgroup hierarchy").isNotEmpty();
        StringBuilder join = new StringBuilder();
        made.forEach(dir -> join.append("echo $$ > ").append(dir.resolve("cgroup.procs")).append("; "));
        ContainerHandle handle = container(List.of("sh", "-c", join + "exec sleep 60"), Map.of());
        try {
            long pid = handle.mainPid().orElseThrow();
            await().atMost(Duration.ofSeconds(10)).until(() -> !ContainerCgroups.of(pid).isEmpty());
            String out = run(runtime.exec(handle, List.of("cat", "/proc/self/cgroup"), false));
            assertThat(out).contains("/" + name);
            for (Path dir : made) {
                assertThat(Files.readString(dir.resolve("cgroup.procs"))).contains(String.valueOf(pid));
            }
            // and the stats of the container come from its cgroup: the memory cgroup's figure, less inactive files
            var pod = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("exec-test").withNamespace("default")
                    .withUid("uid-1").endMetadata().build();
            var stats = new dev.coracle.agent.stats.StatsCollector("n", () -> List.of(
                    new dev.coracle.agent.pods.PodManager.RunningContainer(pod, "main", handle))).summary();
            String json = io.fabric8.kubernetes.client.utils.Serialization.asJson(stats);
            assertThat(json).containsPattern("\"containers\":\\[\\{\"name\":\"main\".*\"workingSetBytes\":[1-9]");
        } finally {
            handle.stop(Duration.ZERO);
            for (Path dir : made) {
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                    Files.deleteIfExists(dir);
                    return true;
                });
            }
        }
    }

    @Test
    void aTtyIsAPseudoTerminalOfTheRequestedSize() throws Exception {
        ContainerHandle handle = container(List.of("sleep", "60"), Map.of());
        try {
            ExecProcess exec = runtime.exec(handle, List.of("sh", "-c", "sleep 0.5; tty; stty size"), true);
            exec.resize(120, 33);
            String out = run(exec);
            assertThat(out).contains("/dev/pts/").contains("33 120");
        } finally {
            handle.stop(Duration.ZERO);
        }
    }
}
