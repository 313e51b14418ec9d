package dev.coracle.agent.logs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CriLogWriterTest {

    @TempDir
    Path dir;

    @Test
    void writesFullAndPartialLinesInTheCriFormat() throws Exception {
        Path file = dir.resolve("main/0.log");
        Clock clock = Clock.fixed(Instant.parse("2026-11-27T08:00:00.123456789Z"), ZoneOffset.UTC);
        try (CriLogWriter writer = new CriLogWriter(file, 10 * 1024 * 1024, 5, clock)) {
            String longLine = "x".repeat(CriLogWriter.MAX_LINE + 5);
            new LogPump(new ByteArrayInputStream(("hello\n" + longLine + "\nno newline at the end").getBytes(StandardCharsets.UTF_8)),
                    "stderr", writer).run();
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).isEqualTo("2026-11-27T08:00:00.123456789Z stderr F hello");
        assertThat(lines.get(1)).startsWith("2026-11-27T08:00:00.123456789Z stderr P xxx").hasSize(31 + 9 + CriLogWriter.MAX_LINE);
        assertThat(lines.get(2)).isEqualTo("2026-11-27T08:00:00.123456789Z stderr F xxxxx");
        assertThat(lines.get(3)).isEqualTo("2026-11-27T08:00:00.123456789Z stderr F no newline at the end");
    }

    @Test
    void rotatesBySizeKeepingAtMostMaxFilesWithTheKubeletsNames() throws Exception {
        Path file = dir.resolve("main/2.log");
        Clock clock = Clock.fixed(Instant.parse("2026-11-27T08:00:00Z"), ZoneOffset.UTC);
        byte[] line = "0123456789".repeat(10).getBytes(StandardCharsets.UTF_8);
        try (CriLogWriter writer = new CriLogWriter(file, 1000, 3, clock)) {
            for (int i = 0; i < 50; i++) {
                writer.write("stdout", line, 0, line.length, false);
            }
            // every file but the current one has reached the size; within one second the names get a counter
            assertThat(writer.rotatedFiles()).extracting(p -> p.getFileName().toString())
                    .allMatch(n -> n.matches("2\\.log\\.20261127-080000(-\\d+)?"));
        }
        try (var files = Files.list(dir.resolve("main"))) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertThat(names).hasSize(3).contains("2.log");
        }
        assertThat(Files.size(file)).isLessThan(1000);
    }
}
