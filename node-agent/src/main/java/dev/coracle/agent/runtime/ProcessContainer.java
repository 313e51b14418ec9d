package dev.coracle.agent.runtime;

import dev.coracle.agent.logs.CriLogWriter;
import dev.coracle.agent.logs.LogPump;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One container run of the {@link ProcessRuntime}: the shim process (a child of this agent, or one
 * found again after an agent restart) and the two log pumps reading its FIFOs.
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
    private final Process child; // null when adopted
    private volatile Instant finishedAt;
    private volatile Integer exitCode;
    private volatile boolean seenAlive;
    private final List<Thread> pumps = new CopyOnWriteArrayList<>();
    private volatile Logs logs;

    ProcessContainer(ProcessRuntime runtime, String podUid, String name, Path dir, long pid, long startTicks, int restartCount,
                     Instant startedAt, Path logFile, Process child) {
        this.runtime = runtime;
        this.podUid = podUid;
        this.name = name;
        this.dir = dir;
        this.pid = pid;
        this.startTicks = startTicks;
        this.restartCount = restartCount;
        this.startedAt = startedAt;
        this.logFile = logFile;
        this.child = child;
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
    record Logs(List<RandomAccessFile> keep, Map<String, InputStream> inputs) {

        static Logs open(Path dir) throws IOException {
            List<RandomAccessFile> keep = new CopyOnWriteArrayList<>();
            Map<String, InputStream> inputs = new LinkedHashMap<>();
            try {
                for (String stream : new String[]{"stdout", "stderr"}) {
                    Path fifo = dir.resolve(stream);
                    keep.add(new RandomAccessFile(fifo.toFile(), "rw")); // never blocks, unlike a write-only open
                    inputs.put(stream, Files.newInputStream(fifo)); // returns at once: there is a writer, ours
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
            for (InputStream in : inputs.values()) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }
    }

    /** Starts a reader thread per stream; the writer is closed when both reach the end of their stream. */
    void pump(Logs opened, CriLogWriter writer) {
        this.logs = opened;
        AtomicInteger open = new AtomicInteger(opened.inputs().size());
        opened.inputs().forEach((stream, input) -> {
            Thread t = new Thread(() -> {
                try (InputStream in = input) {
                    new LogPump(in, stream, writer).run();
                } catch (IOException e) {
                    log.debug("cannot read {} of {}: {}", stream, name, e.getMessage());
                } finally {
                    if (open.decrementAndGet() == 0) {
                        writer.close();
                    }
                }
            }, "log-" + name + "-" + stream + "-" + pid);
            t.setDaemon(true);
            pumps.add(t);
            t.start();
        });
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

    @Override
    public boolean isRunning() {
        if (exitCode != null) {
            return false;
        }
        boolean alive = child != null ? child.isAlive() : ProcStat.alive(pid, startTicks);
        if (alive) {
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
        if (code == null && child != null && !child.isAlive()) {
            code = child.exitValue();
        }
        finishedAt = finished;
        exitCode = code == null ? KILLED : code;
        if (child != null || seenAlive) {
            // seen ending just now: what it left in its group goes too (a long-gone pid could name someone else's group)
            signalGroup("KILL");
        }
        // the container's ends are closed now; closing ours lets the readers drain the pipes and see the end
        releaseLogs();
        // as containerd drains a task's IO before reporting its exit: the log is complete once it shows terminated
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (Thread pump : pumps) {
            long left = until - System.nanoTime();
            if (left > 0) {
                try {
                    pump.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
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
        // the FIFOs are read through interruptible channels: an interrupt closes them, the data stays in the pipe
        pumps.forEach(Thread::interrupt);
        releaseLogs();
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
