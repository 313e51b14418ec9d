package dev.coracle.agent.logs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class LogReaderTest {

    @TempDir
    Path dir;

    private static final Instant T0 = Instant.parse("2026-11-27T08:00:00.123456789Z");

    private static String cri(Instant at, String stream, String tag, String text) {
        return at + " " + stream + " " + tag + " " + text + "\n";
    }

    private void write(String file, String... lines) throws IOException {
        Files.writeString(dir.resolve(file), String.join("", lines), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private String read(int instance, LogOptions options) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LogReader.read(LogReader.files(dir, instance), options, out, () -> false);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void stripsTheCriPrefixAndJoinsPartialEntries() throws IOException {
        write("0.log",
                cri(T0, "stdout", "F", "hello"),
                cri(T0.plusSeconds(1), "stderr", "P", "a long "),
                cri(T0.plusSeconds(1), "stderr", "P", "line in "),
                cri(T0.plusSeconds(2), "stderr", "F", "pieces"),
                cri(T0.plusSeconds(3), "stdout", "F", ""));
        assertThat(read(0, LogOptions.all())).isEqualTo("hello\na long line in pieces\n\n");
    }

    @Test
    void timestampsAreRfc3339WithNineFractionDigitsAsTheKubeletPrintsThem() throws IOException {
        write("0.log", "2026-11-27T08:00:00.5Z stdout F half past\n", cri(T0, "stdout", "F", "exact"));
        assertThat(read(0, new LogOptions(false, null, null, true, null)))
                .isEqualTo("2026-11-27T08:00:00.500000000Z half past\n2026-11-27T08:00:00.123456789Z exact\n");
    }

    @Test
    void tailCountsLinesAcrossRotatedFilesOldestFirst() throws IOException {
        write("1.log.20261127-080000", cri(T0, "stdout", "F", "one"), cri(T0, "stdout", "F", "two"));
        write("1.log.20261127-080100", cri(T0, "stdout", "F", "three"), cri(T0, "stdout", "P", "fo"));
        write("1.log", cri(T0, "stdout", "F", "ur"), cri(T0, "stdout", "F", "five"));
        write("0.log", cri(T0, "stdout", "F", "an earlier run"));
        assertThat(read(1, LogOptions.all())).isEqualTo("one\ntwo\nthree\nfour\nfive\n");
        assertThat(read(1, new LogOptions(false, 3L, null, false, null))).isEqualTo("three\nfour\nfive\n");
        assertThat(read(1, new LogOptions(false, 1L, null, false, null))).isEqualTo("five\n");
        assertThat(read(1, new LogOptions(false, 0L, null, false, null))).isEmpty();
        assertThat(read(1, new LogOptions(false, 100L, null, false, null))).isEqualTo("one\ntwo\nthree\nfour\nfive\n");
        assertThat(read(0, LogOptions.all())).isEqualTo("an earlier run\n");
        assertThat(LogReader.latestInstance(dir)).isEqualTo(1);
    }

    @Test
    void rotatedFilesOfOneSecondAreReadInTheOrderOfTheirCounter() throws IOException {
        write("0.log.20261127-080000-10", cri(T0, "stdout", "F", "third"));
        write("0.log.20261127-080000", cri(T0, "stdout", "F", "first"));
        write("0.log.20261127-080000-2", cri(T0, "stdout", "F", "second"));
        write("0.log.20261127-075959", cri(T0, "stdout", "F", "zeroth"));
        write("0.log", cri(T0, "stdout", "F", "live"));
        assertThat(read(0, LogOptions.all())).isEqualTo("zeroth\nfirst\nsecond\nthird\nlive\n");
    }

    @Test
    void sinceSkipsOlderLinesAndLimitBytesCutsTheOutput() throws IOException {
        write("0.log", cri(T0, "stdout", "F", "old"), cri(T0.plusSeconds(60), "stdout", "F", "new"),
                cri(T0.plusSeconds(61), "stdout", "F", "newer"));
        assertThat(read(0, new LogOptions(false, null, T0.plusSeconds(30), false, null))).isEqualTo("new\nnewer\n");
        assertThat(read(0, new LogOptions(false, null, null, false, 6L))).isEqualTo("old\nne");
    }

    @Test
    void rawLinesOfAWriterWithoutTheCriFormatPassThrough() throws IOException {
        write("0.log", "plain output\n", "2026 is not a timestamp\n", cri(T0, "stdout", "F", "cri"));
        assertThat(read(0, LogOptions.all())).isEqualTo("plain output\n2026 is not a timestamp\ncri\n");
    }

    @Test
    void followStreamsNewLinesThroughARotationUntilTheWriterStops() throws Exception {
        write("0.log", cri(T0, "stdout", "F", "first"));
        AtomicBoolean writing = new AtomicBoolean(true);
        SyncedOutput out = new SyncedOutput();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            try {
                LogReader.read(LogReader.files(dir, 0), new LogOptions(true, null, null, false, null), out, writing::get);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> out.text().equals("first\n"));
        write("0.log", cri(T0, "stdout", "P", "sec"));
        write("0.log", cri(T0, "stdout", "F", "ond"));
        await().atMost(Duration.ofSeconds(10)).until(() -> out.text().equals("first\nsecond\n"));
        // rotation: the live file is renamed and a new one started
        Files.move(dir.resolve("0.log"), dir.resolve("0.log.20261127-080000"));
        write("0.log", cri(T0, "stdout", "F", "after rotation"));
        await().atMost(Duration.ofSeconds(10)).until(() -> out.text().equals("first\nsecond\nafter rotation\n"));
        assertThat(reader).isNotDone();
        writing.set(false);
        reader.get(10, TimeUnit.SECONDS);
        assertThat(out.text()).isEqualTo("first\nsecond\nafter rotation\n");
    }

    @Test
    void followWithTailZeroShowsOnlyWhatComesNext() throws Exception {
        write("0.log", cri(T0, "stdout", "F", "before"));
        AtomicBoolean writing = new AtomicBoolean(true);
        SyncedOutput out = new SyncedOutput();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            try {
                LogReader.read(List.of(dir.resolve("0.log")), new LogOptions(true, 0L, null, false, null), out, writing::get);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Thread.sleep(300);
        write("0.log", cri(T0, "stdout", "F", "after"));
        await().atMost(Duration.ofSeconds(10)).until(() -> out.text().equals("after\n"));
        writing.set(false);
        reader.get(10, TimeUnit.SECONDS);
    }

    /** An output that the test thread may read while the reader writes. */
    private static final class SyncedOutput extends ByteArrayOutputStream {
        synchronized String text() {
            return toString(StandardCharsets.UTF_8);
        }
    }
}
