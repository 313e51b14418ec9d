package dev.coracle.agent.runtime;

import dev.coracle.agent.cgroups.Cgroups;
import dev.coracle.agent.cgroups.Limits;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    private ProcessRuntime runtime;

    @BeforeEach
    void noCgroups() {
        runtime = new ProcessRuntime(tmp.resolve("containers"), Cgroups.detect(tmp.resolve("no-cgroupfs"), 0), 1024 * 1024, 3);
    }

    private ContainerHandle container(String podUid, List<String> command, Map<String, String> env, Limits limits) {
        return runtime.start(new ContainerSpec(podUid, "default", "exec-test", "main", "busybox", command, env,
                tmp.toString(), 0, tmp.resolve("logs/0.log"), limits, Limits.none()));
    }

    private ContainerHandle container(List<String> command, Map<String, String> env) {
        return container("uid-1", command, env, Limits.none());
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
        Cgroups cgroups = Cgroups.detect();
        assumeThat(cgroups.unavailableReason()).as("cgroups the agent may create (root)").isEmpty();
        runtime = new ProcessRuntime(tmp.resolve("containers"), cgroups, 1024 * 1024, 3);
        String podUid = "exec-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        ContainerHandle handle = container(podUid, List.of("sleep", "60"), Map.of(), new Limits(null, null, 256L << 20, null));
        try {
            long pid = handle.mainPid().orElseThrow();
            await().atMost(Duration.ofSeconds(10)).until(() -> !ContainerCgroups.of(pid).isEmpty());
            String out = run(runtime.exec(handle, List.of("cat", "/proc/self/cgroup"), false));
            for (Path dir : cgroups.containerDirs(podUid, "main")) {
                assertThat(Files.readString(dir.resolve("cgroup.procs"))).contains(String.valueOf(pid));
                assertThat(out).contains(Cgroups.PARENT + "/");
            }
            // and the stats of the container come from its cgroup (or its session where a controller is not its own)
            var pod = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("exec-test").withNamespace("default")
                    .withUid(podUid).endMetadata().build();
            var stats = new dev.coracle.agent.stats.StatsCollector("n", () -> List.of(
                    new dev.coracle.agent.pods.PodManager.RunningContainer(pod, "main", handle))).summary();
            String json = io.fabric8.kubernetes.client.utils.Serialization.asJson(stats);
            assertThat(json).containsPattern("\"containers\":\\[\\{\"name\":\"main\".*\"workingSetBytes\":[1-9]");
        } finally {
            handle.stop(Duration.ZERO);
            runtime.removePod(podUid);
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
