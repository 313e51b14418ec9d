package dev.coracle.server.nodemetrics;

import dev.coracle.server.api.Json;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class MetricsStoreTest {

    private static final Instant T0 = Instant.parse("2026-11-27T08:00:00Z");

    private static tools.jackson.databind.JsonNode summary(long nodeCpu, long podCpu, long podMemory) {
        return Json.readTree(("""
                {"node":{"nodeName":"n1","cpu":{"usageNanoCores":7,"usageCoreNanoSeconds":%d},"memory":{"workingSetBytes":1048576}},
                 "pods":[{"podRef":{"name":"web","namespace":"default","uid":"u1"},
                          "containers":[{"name":"app","cpu":{"usageNanoCores":3,"usageCoreNanoSeconds":%d},
                                         "memory":{"workingSetBytes":%d}}]}]}
                """).formatted(nodeCpu, podCpu, podMemory).getBytes());
    }

    @Test
    void cpuIsTheRateBetweenTwoScrapesAsMetricsServerComputesIt() {
        MetricsStore store = new MetricsStore(Duration.ofSeconds(15));
        store.record("n1", T0, summary(1_000_000_000L, 100_000_000L, 52428800));
        store.roundDone(T0, Set.of("n1"));
        // the first scrape has no earlier one: the agent's own rate
        assertThat(store.node("n1")).get().extracting(MetricsStore.Usage::cpuNanoCores).isEqualTo(7L);
        store.record("n1", T0.plusSeconds(15), summary(16_000_000_000L, 1_600_000_000L, 52428800));
        store.roundDone(T0.plusSeconds(15), Set.of("n1"));
        MetricsStore.Usage node = store.node("n1").orElseThrow();
        assertThat(node.cpuNanoCores()).isEqualTo(1_000_000_000L);
        assertThat(node.window()).isEqualTo(Duration.ofSeconds(15));
        MetricsStore.PodUsage pod = store.pod("default", "web").orElseThrow();
        assertThat(pod.containers().get("app").cpuNanoCores()).isEqualTo(100_000_000L);
        assertThat(pod.containers().get("app").memoryBytes()).isEqualTo(52428800L);
        assertThat(store.history("Pod/default/web")).extracting(MetricsStore.Point::cpuNanoCores).containsExactly(3L, 100_000_000L);
        assertThat(store.history("Cluster")).extracting(MetricsStore.Point::memoryBytes).containsExactly(1048576L, 1048576L);
    }

    @Test
    void aNodeNotScrapedInARoundHasNoCurrentFiguresAndHistoryKeepsOneHour() {
        MetricsStore store = new MetricsStore(Duration.ofSeconds(15));
        store.record("n1", T0, summary(1, 1, 1));
        store.roundDone(T0, Set.of("n1"));
        store.roundDone(T0.plusSeconds(15), Set.of());
        assertThat(store.node("n1")).isEmpty();
        assertThat(store.pod("default", "web")).isEmpty();
        assertThat(store.history("Node/n1")).hasSize(1);
        store.roundDone(T0.plus(Duration.ofMinutes(61)), Set.of());
        assertThat(store.history("Node/n1")).isEmpty();
    }

    @Test
    void figuresAreWrittenAsMetricsServerWritesThem() {
        assertThat(MetricsFormat.cpu(123456789)).isEqualTo("123456789n");
        assertThat(MetricsFormat.cpu(5_000_000)).isEqualTo("5m");
        assertThat(MetricsFormat.cpu(2_000_000_000)).isEqualTo("2");
        assertThat(MetricsFormat.cpu(0)).isEqualTo("0");
        assertThat(MetricsFormat.memory(52428800)).isEqualTo("50Mi");
        assertThat(MetricsFormat.memory(1585152)).isEqualTo("1548Ki");
        assertThat(MetricsFormat.memory(1000)).isEqualTo("1000");
        assertThat(MetricsFormat.duration(Duration.ofMillis(15010))).isEqualTo("15.01s");
        assertThat(MetricsFormat.duration(Duration.ofSeconds(15))).isEqualTo("15s");
    }

    @Test
    void aTableHasMetricsServersColumns() {
        var list = Json.parseObject("""
                {"kind":"PodMetricsList","items":[{"metadata":{"name":"web","namespace":"default"},"window":"15s",
                 "containers":[{"name":"a","usage":{"cpu":"5m","memory":"1Mi"}},{"name":"b","usage":{"cpu":"250000n","memory":"1024Ki"}}]}]}
                """.getBytes());
        var table = MetricsApi.table(list);
        assertThat(table.get("columnDefinitions").valueStream().map(c -> c.get("name").asString()).toList())
                .containsExactly("Name", "CPU", "Memory", "Window");
        assertThat(Json.write(table.get("rows").get(0).get("cells"))).isEqualTo("[\"web\",\"5250u\",\"2Mi\",\"15s\"]");
    }
}
