package dev.coracle.agent.runtime;

import dev.coracle.agent.logs.CriLogWriter;
import dev.coracle.agent.logs.LogPump;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;
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
    private final java.util.List<Thread> pumps = new java.util.concurrent.CopyOnWriteArrayList<>();

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

    /** Starts the stdout and stderr readers; the writer is closed when both reach the end of their stream. */
    void pump(CriLogWriter writer) {
        AtomicInteger open = new AtomicInteger(2);
        for (String stream : new String[]{"stdout", "stderr"}) {
            Path fifo = dir.resolve(stream);
            Thread t = new Thread(() -> {
                try (InputStream in = Files.newInputStream(fifo)) {
                    new LogPump(in, stream, writer).run();
                } catch (IOException e) {
                    log.debug("cannot read {}: {}", fifo, e.getMessage());
                } finally {
                    if (open.decrementAndGet() == 0) {
                        writer.close();
                    }
                }
            }, "log-" + name + "-" + stream + "-" + pid);
            t.setDaemon(true);
            pumps.add(t);
            t.start();
        }
    }

    @Override
    public String id() {
        return "process://" + pid;
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
        ProcessRuntime.release(dir.resolve("stdout"));
        ProcessRuntime.release(dir.resolve("stderr"));
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
