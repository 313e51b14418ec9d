package dev.coracle.agent.runtime;

import dev.coracle.agent.cgroups.Cgroups;
import dev.coracle.agent.cgroups.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Real processes: a container outlives the runtime that started it, and the next one picks it up, logs and all. */
class ProcessRuntimeTest {

    @TempDir
    Path tmp;

    private ProcessRuntime runtime() {
        return new ProcessRuntime(tmp.resolve("containers"), Cgroups.detect(tmp.resolve("no-cgroupfs"), 0), 1024 * 1024, 3);
    }

    private ContainerSpec spec(String script, Path log) {
        return new ContainerSpec("uid-1", "default", "p", "main", "busybox", List.of("sh", "-c", script), Map.of("WHO", "world"),
                null, 0, log, Limits.none(), Limits.none());
    }

    @Test
    void anAdoptedContainerKeepsItsLogsAndItsExitCodeIsKnown() throws Exception {
        Path log = tmp.resolve("logs/0.log");
        Path go = tmp.resolve("go");
        String script = "echo hello $WHO; echo oops >&2; while [ ! -e " + go + " ]; do sleep 0.1; done; echo after; exit 7";
        ContainerHandle first = runtime().start(spec(script, log));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(log) && Files.readString(log).contains("stderr F oops"));
        assertThat(Files.readString(log)).containsPattern("\\d{4}-\\d\\d-\\d\\dT[\\d:.]{18}Z stdout F hello world");
        first.detach(); // the agent goes away; the process does not

        ContainerHandle adopted = runtime().existing("uid-1", "main").orElseThrow();
        assertThat(adopted.id()).isEqualTo(first.id());
        assertThat(adopted.isRunning()).isTrue();
        Files.writeString(go, "");
        await().atMost(Duration.ofSeconds(10)).until(() -> !adopted.isRunning());
        assertThat(adopted.exitCode()).hasValue(7);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains("stdout F after"));
        adopted.remove();
        assertThat(runtime().existing("uid-1", "main")).isEmpty();
    }

    @Test
    void stopSendsSigtermToTheGroupAndThenSigkill() throws Exception {
        Path log = tmp.resolve("logs/0.log");
        ContainerHandle c = runtime().start(spec("trap 'echo got-TERM; exit 0' TERM; echo trap-set; while true; do sleep 0.1; done", log));
        // the signal is sent once the shell has its trap: sent before, it would end the shell (143), as on any machine
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(log) && Files.readString(log).contains("trap-set"));
        c.stop(Duration.ofSeconds(5));
        assertThat(c.exitCode()).hasValue(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains("got-TERM"));

        Path stubbornLog = tmp.resolve("logs/1.log");
        ContainerHandle stubborn = runtime().start(spec("trap '' TERM; echo trap-set; while true; do sleep 0.1; done", stubbornLog));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(stubbornLog) && Files.readString(stubbornLog).contains("trap-set"));
        long t0 = System.nanoTime();
        stubborn.stop(Duration.ofMillis(500));
        assertThat(stubborn.isRunning()).isFalse();
        assertThat(stubborn.exitCode()).hasValue(137);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
    }

    @Test
    void aContainerThatWritesAndExitsAtOnceLosesNothingAndItsLogIsCompleteWhenItEnds() throws Exception {
        for (int i = 0; i < 5; i++) {
            Path log = tmp.resolve("quick/" + i + ".log");
            ContainerHandle c = runtime().start(spec("seq 1 2000; echo done >&2", log));
            await().atMost(Duration.ofSeconds(10)).until(() -> !c.isRunning());
            List<String> lines = Files.readAllLines(log);
            assertThat(lines).hasSize(2001);
            List<String> stdout = lines.stream().filter(l -> l.contains(" stdout F ")).toList();
            assertThat(stdout).hasSize(2000);
            assertThat(stdout.get(1999)).endsWith(" stdout F 2000");
            assertThat(lines).anyMatch(l -> l.endsWith(" stderr F done"));
            c.remove();
        }
    }

    @Test
    void aMissingCommandIsAStartError() {
        assertThatThrownBy(() -> runtime().start(new ContainerSpec("u", "d", "p", "c", "img", List.of("no-such-command-here"), Map.of(),
                null, 0, tmp.resolve("l.log"), Limits.none(), Limits.none())))
                .isInstanceOf(ContainerStartException.class).hasMessageContaining("executable file not found in $PATH");
        assertThatThrownBy(() -> runtime().start(new ContainerSpec("u", "d", "p", "c", "img", List.of(), Map.of(),
                null, 0, tmp.resolve("l.log"), Limits.none(), Limits.none())))
                .isInstanceOf(ContainerStartException.class).hasMessageContaining("no command");
    }
}
