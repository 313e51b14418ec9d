package dev.coracle.agent.runtime;

import dev.coracle.agent.logs.CriLogWriter;
import dev.coracle.agent.logs.LogPoller;
import dev.coracle.agent.logs.LogPump;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One container run of the {@link ProcessRuntime}: the shim process (started by this agent, or
 * found again after an agent restart) and its two FIFOs, read by the runtime's {@link LogPoller}.
 */
final class ProcessContainer implements ContainerHandle {

    private static final Logger log = LoggerFactory.getLogger(ProcessContainer.class);
    /** What a process killed by SIGKILL reports, when no exit code was written. */
    private static final int KILLED = 137;

    private final ProcessRuntime runtime;
    private final String podUid;
    private final String name;
    private final Path dir;
    private final long pid;
    private final long startTicks;
    private final int restartCount;
    private final Instant startedAt;
    private final Path logFile;
    private volatile Instant finishedAt;
    private volatile Integer exitCode;
    private volatile boolean seenAlive;
    /** When {@code /proc} last showed it alive ({@link System#nanoTime}). */
    private volatile long aliveAt;
    private static final long ALIVE_FOR_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private final List<LogPoller.Source> sources = new CopyOnWriteArrayList<>();
    private volatile Logs logs;
    private volatile CriLogWriter writer;

    ProcessContainer(ProcessRuntime runtime, String podUid, String name, Path dir, long pid, long startTicks, int restartCount,
                     Instant startedAt, Path logFile) {
        this.runtime = runtime;
        this.podUid = podUid;
        this.name = name;
        this.dir = dir;
        this.pid = pid;
        this.startTicks = startTicks;
        this.restartCount = restartCount;
        this.startedAt = startedAt;
        this.logFile = logFile;
    }

    long pid() {
        return pid;
    }

    long startTicks() {
        return startTicks;
    }

    Path dir() {
        return dir;
    }

    Path logFile() {
        return logFile;
    }

    /**
     * A container's two FIFOs opened by the agent: a reader for each, and the agent's own write end
     * held until the container has ended. A pipe whose every end is closed drops what is in it, so
     * without that end a container that writes and exits before its reader opens would lose its output,
     * and a reader could see an early end.
     */
    record Logs(List<RandomAccessFile> keep, Map<String, FileInputStream> inputs) {

        static Logs open(Path dir) throws IOException {
            List<RandomAccessFile> keep = new CopyOnWriteArrayList<>();
            Map<String, FileInputStream> inputs = new LinkedHashMap<>();
            try {
                for (String stream : new String[]{"stdout", "stderr"}) {
                    Path fifo = dir.resolve(stream);
                    keep.add(new RandomAccessFile(fifo.toFile(), "rw")); // never blocks, unlike a write-only open
                    inputs.put(stream, new FileInputStream(fifo.toFile())); // returns at once: there is a writer, ours
                }
            } catch (IOException e) {
                new Logs(keep, inputs).close();
                throw e;
            }
            return new Logs(keep, inputs);
        }

        /** Lets the readers see the end once the container's own ends are closed too. */
        void releaseWriteEnds() {
            for (RandomAccessFile f : keep) {
                try {
                    f.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }

        void close() {
            releaseWriteEnds();
            for (FileInputStream in : inputs.values()) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }
    }

    /** Has the runtime's log poller read each stream into the writer; the writer is closed once both are drained. */
    void pump(Logs opened, CriLogWriter writer) {
        this.logs = opened;
        this.writer = writer;
        opened.inputs().forEach((stream, input) ->
                sources.add(runtime.logPoller().add(input, new LogPump(stream, writer), name + "/" + stream + " of " + podUid)));
    }

    /** The container ended and the pipes have no writer left: the rest of its output goes to the log, which is then complete. */
    private void drainLogs() {
        sources.forEach(LogPoller.Source::drain);
        sources.clear();
        CriLogWriter w = writer;
        if (w != null) {
            w.close();
        }
    }

    private void releaseLogs() {
        Logs l = logs;
        if (l != null) {
            l.releaseWriteEnds();
        }
    }

    @Override
    public String id() {
        return "process://" + pid;
    }

    /**
     * The shim: the session leader, started with the container's environment and working directory,
     * and the first to join its cgroups; the command is its child in its session.
     */
    @Override
    public OptionalLong mainPid() {
        return isRunning() ? OptionalLong.of(pid) : OptionalLong.empty();
    }

    @Override
    public int restartCount() {
        return restartCount;
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    /**
     * A look at {@code /proc} at most every {@link #ALIVE_FOR_NANOS}: a pod worker's pass asks several times (to
     * supervise, to probe, for each status field), and the agent makes a few hundred passes a second with 100 pods.
     * An exit is seen at most that much later; once seen, it is final.
     */
    @Override
    public boolean isRunning() {
        if (exitCode != null) {
            return false;
        }
        long now = System.nanoTime();
        if (seenAlive && now - aliveAt < ALIVE_FOR_NANOS) {
            return true;
        }
        boolean alive = ProcStat.alive(pid, startTicks);
        if (alive) {
            aliveAt = now;
            seenAlive = true;
        } else {
            exited();
        }
        return alive;
    }

    /** Records how it ended, kills what it left behind in its process group, and lets the log readers finish. */
    private synchronized void exited() {
        if (exitCode != null) {
            return;
        }
        Path exitFile = dir.resolve("exit");
        Integer code = null;
        Instant finished = Instant.now();
        try {
            if (Files.exists(exitFile)) {
                String text = Files.readString(exitFile).trim();
                if (!text.isEmpty()) {
                    code = Integer.parseInt(text);
                    finished = Files.getLastModifiedTime(exitFile).toInstant();
                }
            }
        } catch (IOException | NumberFormatException e) {
            // treated as killed
        }
        finishedAt = finished;
        exitCode = code == null ? KILLED : code;
        if (seenAlive) {
            // seen ending just now: what it left in its group goes too (a long-gone pid could name someone else's group)
            signalGroup("KILL");
        }
        // the container's ends are closed now, and ours: what is in the pipes is all there will be
        releaseLogs();
        // as containerd drains a task's IO before reporting its exit: the log is complete once it shows terminated
        drainLogs();
    }

    @Override
    public OptionalInt exitCode() {
        return isRunning() ? OptionalInt.empty() : OptionalInt.of(exitCode);
    }

    @Override
    public Instant finishedAt() {
        return isRunning() ? null : finishedAt;
    }

    @Override
    public boolean oomKilled() {
        if (isRunning() || exitCode != KILLED) {
            return false;
        }
        for (Path cg : runtime.cgroups().containerDirs(podUid, name)) {
            for (String file : new String[]{"memory.events", "memory.oom_control"}) {
                try {
                    Path f = cg.resolve(file);
                    if (Files.exists(f)) {
                        for (String line : Files.readAllLines(f)) {
                            if (line.startsWith("oom_kill ") && Long.parseLong(line.substring(9).trim()) > 0) {
                                return true;
                            }
                        }
                    }
                } catch (IOException | NumberFormatException ignored) {
                    // unknown
                }
            }
        }
        return false;
    }

    @Override
    public void stop(Duration grace) {
        if (!isRunning()) {
            return;
        }
        signalGroup("TERM");
        long deadline = System.nanoTime() + Math.max(0, grace.toNanos());
        while (isRunning() && System.nanoTime() < deadline) {
            sleep(50);
        }
        if (isRunning()) {
            signalGroup("KILL");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (isRunning() && System.nanoTime() < until) {
                sleep(20);
            }
        }
    }

    @Override
    public void detach() {
        // the shim keeps the pipes open: what the container writes from now on waits there for the next agent
        sources.forEach(LogPoller.Source::detach);
        sources.clear();
        releaseLogs();
        CriLogWriter w = writer;
        if (w != null) {
            w.close();
        }
    }

    @Override
    public void remove() {
        runtime.forget(this);
    }

    /** Signals the container's process group (the shim's pid is its id); a stale pid is never signalled. */
    private void signalGroup(String signal) {
        try {
            new ProcessBuilder("kill", "-" + signal, "--", "-" + pid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            log.warn("cannot signal container {}: {}", name, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
