package dev.coracle.dashboard.metrics;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ChartTest {

    @Test
    void theHistoryContractParsesOldestFirst() {
        List<Sample> points = MetricsSource.parseHistory("""
                {"kind":"MetricsHistory","resolution":"15s","window":"1h","points":[
                 {"timestamp":"2026-11-27T08:00:00Z","cpuNanoCores":123456789,"memoryBytes":52428800},
                 {"timestamp":"2026-11-27T08:00:15Z","cpuNanoCores":250000000,"memoryBytes":62914560}]}
                """);
        assertThat(points).containsExactly(new Sample(Instant.parse("2026-11-27T08:00:00Z"), 123456789, 52428800),
                new Sample(Instant.parse("2026-11-27T08:00:15Z"), 250000000, 62914560));
    }

    @Test
    void aCpuChartHasAxesInCoresAndClockTimesAndALineThroughEveryPoint() {
        Instant t0 = Instant.parse("2026-11-27T08:00:00Z");
        Chart chart = Chart.cpu("CPU — cluster", List.of(new Sample(t0, 100_000_000, 0), new Sample(t0.plusSeconds(15), 400_000_000, 0),
                new Sample(t0.plusSeconds(30), 250_000_000, 0)));
        assertThat(chart.points()).isEqualTo(3);
        assertThat(chart.polyline().split(" ")).hasSize(3);
        // 400m peak → the axis tops out at 500m, in five labelled steps
        assertThat(chart.yTicks()).extracting(Chart.Tick::label).containsExactly("0m", "125m", "250m", "375m", "500m");
        assertThat(chart.xTicks()).extracting(Chart.Tick::label).containsExactly("08:00", "08:00", "08:00", "08:00");
        assertThat(chart.latest()).isEqualTo("250m");
        // the first point is on the y axis, the last at the right edge; the peak is highest (smallest y)
        String[] first = chart.polyline().split(" ")[0].split(",");
        String[] peak = chart.polyline().split(" ")[1].split(",");
        assertThat(Double.parseDouble(first[0])).isEqualTo(chart.left());
        assertThat(Double.parseDouble(peak[1])).isLessThan(Double.parseDouble(first[1]));
        // the newest point is marked (a single sample is a dot, not an invisible line)
        assertThat(chart.lastX()).isEqualTo(chart.right());
    }

    @Test
    void anEmptySeriesStillHasAnAxisAndNoLine() {
        Chart chart = Chart.memory("Memory — node", List.of());
        assertThat(chart.points()).isZero();
        assertThat(chart.polyline()).isEmpty();
        assertThat(chart.yTicks()).hasSize(5);
        assertThat(chart.latest()).isNull();
    }

    @Test
    void axisTopsAreRoundNumbers() {
        assertThat(Chart.niceCeiling(0)).isEqualTo(1);
        assertThat(Chart.niceCeiling(7)).isEqualTo(10);
        assertThat(Chart.niceCeiling(130)).isEqualTo(200);
        assertThat(Chart.niceCeiling(4_100)).isEqualTo(5_000);
    }
}
