package dev.coracle.agent.cgroups;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CgroupsTest {

    @TempDir
    Path root;

    @Test
    void v2WritesLimitsIntoTheUnifiedTreeAndEnablesControllersDownThePath() throws Exception {
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n");
        Cgroups cgroups = Cgroups.detect(root, 0);
        assertThat(cgroups.version()).isEqualTo("v2");
        List<Path> procs = cgroups.prepare("uid-1", "main", new Limits(250L, Limits.sharesFor(100), 64L * 1024 * 1024, null),
                new Limits(250L, null, 64L * 1024 * 1024, 100L));
        Path leaf = root.resolve("coracle/poduid-1/main");
        assertThat(procs).containsExactly(leaf.resolve("cgroup.procs"));
        assertThat(Files.readString(leaf.resolve("memory.max"))).isEqualTo("67108864");
        assertThat(Files.readString(leaf.resolve("cpu.max"))).isEqualTo("25000 100000");
        assertThat(Files.readString(leaf.resolve("cpu.weight"))).isEqualTo("4");
        assertThat(Files.readString(root.resolve("coracle/poduid-1/pids.max"))).isEqualTo("100");
        for (Path level : List.of(root, root.resolve("coracle"), root.resolve("coracle/poduid-1"))) {
            assertThat(Files.readString(level.resolve("cgroup.subtree_control"))).isEqualTo("+cpu +memory +pids");
        }
        cgroups.removePod("uid-1");
        assertThat(root.resolve("coracle/poduid-1")).doesNotExist();
    }

    @Test
    void unlimitedIsWrittenAsMax() throws Exception {
        Files.writeString(root.resolve("cgroup.controllers"), "cpu memory pids\n");
        Cgroups cgroups = Cgroups.detect(root, 0);
        cgroups.prepare("u", "c", Limits.none(), Limits.none());
        assertThat(Files.readString(root.resolve("coracle/podu/c/memory.max"))).isEqualTo("max");
        assertThat(Files.readString(root.resolve("coracle/podu/c/cpu.max"))).isEqualTo("max 100000");
    }

    @Test
    void v1AndNoneAreToldApart() throws Exception {
        Files.createDirectories(root.resolve("memory"));
        assertThat(Cgroups.detect(root, 0).version()).isEqualTo("v1");
        assertThat(Cgroups.detect(root, 1000).unavailableReason()).get().asString().contains("not root");
        assertThat(Cgroups.detect(root.resolve("nothing"), 0).unavailableReason()).get().asString().contains("no cgroup filesystem");
    }

    @Test
    void cpuLimitsConvertAsTheKubeletDoes() {
        assertThat(new Limits(1L, null, null, null).cpuQuotaMicros()).isEqualTo(1000);
        assertThat(new Limits(1500L, null, null, null).cpuQuotaMicros()).isEqualTo(150_000);
        assertThat(Limits.sharesFor(0)).isEqualTo(2);
        assertThat(Limits.sharesFor(1000)).isEqualTo(1024);
    }
}
