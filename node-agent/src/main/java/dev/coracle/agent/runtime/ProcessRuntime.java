package dev.coracle.agent.runtime;

import dev.coracle.agent.cgroups.Cgroups;
import dev.coracle.agent.logs.ContainerLogs;
import dev.coracle.agent.logs.CriLogWriter;
import dev.coracle.agent.logs.LogPoller;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Each container's command as a host process in its own session and process group ({@code setsid}),
 * so a stop signals the whole group. The pod's IP is the node's (host network).
 *
 * <p>Containers outlive the agent, as they outlive a kubelet restart. Each container runs under a tiny
 * {@code sh} shim ({@link #SHIM}) that first joins the container's cgroups, points its stdout and
 * stderr at two FIFOs in the container's state directory (opened read-write, so the pipes always
 * have a reader and the container never gets SIGPIPE while no agent is reading), runs the command,
 * and writes its exit code to a file when it ends. The agent opens the FIFOs before the container starts
 * (and holds a write end of its own until the container ends, so a pipe never drops unread output)
 * and reads them into the CRI log file;
 * a restarted agent opens them again and drains what the container wrote meanwhile (up to the pipe's
 * 64 KiB, beyond which the container waits, as with a blocked Docker log driver). The state directory
 * also records the shim's pid with its start time from {@code /proc/<pid>/stat}, so a restarted agent
 * finds exactly its processes again and never mistakes a reused pid for one. The shim is no child of the
 * agent (a starting shell puts it in the background and exits): every container is watched through
 * {@code /proc}, and the agent holds no thread per container (the log FIFOs are read by one {@link LogPoller}).
 */
public class ProcessRuntime implements ContainerRuntime {

    private static final Logger log = LoggerFactory.getLogger(ProcessRuntime.class);
    static final String SHIM_NAME = "coracle-shim";
    private static final boolean HAVE_SETSID = new File("/usr/bin/setsid").canExecute() || new File("/bin/setsid").canExecute();

    /**
     * $1 exit file, $2 stdout FIFO, $3 stderr FIFO, $4 the cgroup.procs files (space separated), then the
     * command. TERM and friends are caught (not ignored, so the command does not inherit them ignored)
     * while the shim waits for its command to end. A caught signal interrupts {@code wait} with 128+n, and when the
     * command ends in that same moment the loop leaves with that number: one more {@code wait} gives the command's
     * own status (dash reports it again; bash, having reported it, answers 127, and the status in hand is kept).
     */
    static final String SHIM = """
            x="$1"; o="$2"; e="$3"; g="$4"; shift 4
            exec 1<>"$o" 2<>"$e"
            for f in $g; do echo $$ > "$f" || { echo "coracle: cannot join cgroup $f" >&2; echo 128 > "$x"; exit 128; }; done
            "$@" </dev/null &
            c=$!
            trap : TERM INT HUP QUIT USR1 USR2
            while :; do wait $c; s=$?; kill -0 $c 2>/dev/null || break; done
            wait $c 2>/dev/null; r=$?; [ $r -ne 127 ] && s=$r
            echo $s > "$x"
            exit $s
            """;

    /**
     * $1 stdout FIFO, $2 stderr FIFO, then the shim's command line. Holds both FIFOs open (fds 3 and 4, closed
     * for the shim) until the agent has opened them and closes this shell's stdin, so that output of a container
     * that ends at once is not dropped with the last open end of its pipe.
     */
    static final String STARTER = """
            o="$1"; e="$2"; shift 2
            mkfifo -m 600 "$o" "$e" || exit 1
            exec 3<>"$o" 4<>"$e"
            SETSID "$@" </dev/null 3>&- 4>&- &
            echo $!
            read -r _
            """;

    private final Path stateRoot;
    private final Cgroups cgroups;
    private final long logMaxSize;
    private final int logMaxFiles;
    /** One thread reads every container's output. */
    private final LogPoller logPoller = new LogPoller();

    public ProcessRuntime(Path stateRoot, Cgroups cgroups, long logMaxSize, int logMaxFiles) {
        this.stateRoot = stateRoot;
        this.cgroups = cgroups;
        this.logMaxSize = logMaxSize;
        this.logMaxFiles = logMaxFiles;
    }

    @Override
    public String name() {
        return "process";
    }

    @Override
    public String version() {
        return "process://0.1.0";
    }

    @Override
    public String podIp(String podUid, String nodeIp) {
        return nodeIp;
    }

    @Override
    public Optional<String> limitsNotEnforced() {
        return cgroups.unavailableReason();
    }

    public Cgroups cgroups() {
        return cgroups;
    }

    LogPoller logPoller() {
        return logPoller;
    }

    Path containerDir(String podUid, String container) {
        return stateRoot.resolve(podUid).resolve(container);
    }

    @Override
    public ContainerHandle start(ContainerSpec spec) {
        if (spec.command() == null || spec.command().isEmpty()) {
            throw new ContainerStartException("CreateContainerConfigError",
                    "the process runtime runs a container's command on the host, and container " + spec.containerName()
                            + " has no command or args (an image's entrypoint needs the oci runtime)");
        }
        String executable = spec.command().get(0);
        if (resolve(executable, spec.env().getOrDefault("PATH", defaultPath()), spec.workingDir()) == null) {
            throw new ContainerStartException("StartError", "exec: \"" + executable + "\": executable file not found in $PATH");
        }
        File workingDir = null;
        if (spec.workingDir() != null && !spec.workingDir().isBlank()) {
            workingDir = new File(spec.workingDir());
            if (!workingDir.isDirectory()) {
                throw new ContainerStartException("StartError", "chdir to cwd (\"" + spec.workingDir()
                        + "\") set in config.json failed: no such file or directory");
            }
        }
        Path dir = containerDir(spec.podUid(), spec.containerName());
        List<Path> procs;
        try {
            recreate(dir);
            procs = cgroups.prepare(spec.podUid(), spec.containerName(), spec.limits(), spec.podLimits());
        } catch (IOException e) {
            throw new ContainerStartException("CreateContainerError", "cannot prepare the container: " + e.getMessage());
        }
        // one process start (under load each costs tens of milliseconds): a starting shell makes the FIFOs, holds them
        // open, puts the shim in the background, prints its pid and waits until the agent has opened the FIFOs too.
        // The shim is then no child of the agent: the JVM keeps no reaper thread per container, and a container
        // is watched the same way whether this agent started it or found it again after a restart.
        List<String> argv = new ArrayList<>(List.of("sh", "-c", STARTER.replace("SETSID", HAVE_SETSID ? "setsid" : ""), "coracle-start",
                dir.resolve("stdout").toString(), dir.resolve("stderr").toString()));
        argv.addAll(List.of("sh", "-c", SHIM, SHIM_NAME, dir.resolve("exit").toString(), dir.resolve("stdout").toString(),
                dir.resolve("stderr").toString(), String.join(" ", procs.stream().map(Path::toString).toList())));
        argv.addAll(spec.command());
        ProcessBuilder builder = new ProcessBuilder(argv);
        builder.environment().clear();
        builder.environment().put("PATH", defaultPath());
        builder.environment().put("HOSTNAME", spec.podName());
        builder.environment().putAll(spec.env());
        if (workingDir != null) {
            builder.directory(workingDir);
        }
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        ProcessContainer container;
        try {
            CriLogWriter writer = new CriLogWriter(spec.logFile(), logMaxSize, logMaxFiles);
            Process starter;
            try {
                starter = builder.start();
            } catch (IOException e) {
                writer.close();
                throw e;
            }
            ProcessContainer.Logs logs;
            long pid;
            try {
                pid = shimPid(starter);
                logs = ProcessContainer.Logs.open(dir);
            } catch (IOException e) {
                starter.destroy();
                writer.close();
                throw e;
            } finally {
                // our ends are open (or we gave up): the starting shell may let go of its own
                try {
                    starter.getOutputStream().close();
                } catch (IOException ignored) {
                    // it is gone already
                }
            }
            Instant startedAt = Instant.now();
            long ticks = ProcStat.read(pid).map(ProcStat::startTicks).orElse(-1L);
            container = new ProcessContainer(this, spec.podUid(), spec.containerName(), dir, pid, ticks,
                    spec.restartCount(), startedAt, spec.logFile());
            saveRecord(container);
            container.pump(logs, writer);
        } catch (IOException e) {
            throw new ContainerStartException("StartError", "cannot run " + executable + ": " + e.getMessage());
        }
        return container;
    }

    /** The pid the starting shell printed, the shim's, once the FIFOs exist. */
    private static long shimPid(Process starter) throws IOException {
        var out = new java.io.BufferedReader(new java.io.InputStreamReader(starter.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
        String line = out.readLine(); // one line: the shim holds the pipe until it has pointed its output at the FIFOs
        if (line == null || !line.trim().matches("\\d+")) {
            throw new IOException("the shim did not start (mkfifo in " + "the container's state directory failed?)");
        }
        out.close();
        return Long.parseLong(line.trim());
    }

    @Override
    public Optional<ContainerHandle> existing(String podUid, String containerName) {
        Path dir = containerDir(podUid, containerName);
        Path record = dir.resolve("container.json");
        if (!Files.exists(record)) {
            return Optional.empty();
        }
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> r = Serialization.unmarshal(Files.readString(record), Map.class);
            long pid = ((Number) r.get("pid")).longValue();
            long ticks = ((Number) r.get("startTicks")).longValue();
            int restartCount = ((Number) r.get("restartCount")).intValue();
            Instant startedAt = Instant.parse((String) r.get("startedAt"));
            Path logFile = Path.of((String) r.get("logFile"));
            ProcessContainer container = new ProcessContainer(this, podUid, containerName, dir, pid, ticks, restartCount,
                    startedAt, logFile);
            if (container.isRunning()) {
                log.info("found container {} of pod {} running as pid {}: adopting it", containerName, podUid, pid);
                container.pump(ProcessContainer.Logs.open(dir), new CriLogWriter(logFile, logMaxSize, logMaxFiles));
            }
            return Optional.of(container);
        } catch (IOException | RuntimeException e) {
            log.warn("unreadable container record {}: {}", record, e.toString());
            return Optional.empty();
        }
    }

    /** See {@link ProcessExec}: the command beside the container's main process, with its environment, directory and cgroup. */
    @Override
    public ExecProcess exec(ContainerHandle container, List<String> command, boolean tty) {
        long pid = container.isRunning() ? container.mainPid().orElse(-1) : -1;
        if (pid < 0) {
            throw new ContainerStartException("ContainerNotRunning", "container is not running");
        }
        return ProcessExec.start(pid, command, tty);
    }

    @Override
    public Set<String> knownPods() {
        Set<String> uids = new TreeSet<>();
        if (Files.isDirectory(stateRoot)) {
            try (Stream<Path> dirs = Files.list(stateRoot)) {
                dirs.filter(Files::isDirectory).forEach(d -> uids.add(d.getFileName().toString()));
            } catch (IOException e) {
                log.warn("cannot list {}: {}", stateRoot, e.getMessage());
            }
        }
        return uids;
    }

    @Override
    public void removePod(String podUid) {
        Path podDir = stateRoot.resolve(podUid);
        if (Files.isDirectory(podDir)) {
            try (Stream<Path> dirs = Files.list(podDir)) {
                for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                    existing(podUid, dir.getFileName().toString()).ifPresent(c -> {
                        if (c.isRunning()) {
                            c.stop(java.time.Duration.ZERO);
                        }
                    });
                }
            } catch (IOException e) {
                log.warn("cannot list {}: {}", podDir, e.getMessage());
            }
            ContainerLogs.deleteTree(podDir);
        }
        cgroups.removePod(podUid);
    }

    void saveRecord(ProcessContainer c) throws IOException {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("pid", c.pid());
        r.put("startTicks", c.startTicks());
        r.put("restartCount", c.restartCount());
        r.put("startedAt", c.startedAt().toString());
        r.put("logFile", c.logFile().toString());
        Path tmp = c.dir().resolve("container.json.tmp");
        Files.writeString(tmp, Serialization.asJson(r));
        Files.move(tmp, c.dir().resolve("container.json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    void forget(ProcessContainer c) {
        try {
            Files.deleteIfExists(c.dir().resolve("container.json"));
        } catch (IOException e) {
            log.warn("cannot remove the record of {}: {}", c.dir(), e.getMessage());
        }
    }

    /** A fresh state directory (the starting shell makes the FIFOs in it). */
    private static void recreate(Path dir) throws IOException {
        ContainerLogs.deleteTree(dir);
        Files.createDirectories(dir);
    }

    static String defaultPath() {
        return System.getenv().getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    }

    /** Where {@code executable} is found, as exec would look for it; null when nowhere. */
    static Path resolve(String executable, String path, String workingDir) {
        if (executable.contains("/")) {
            Path p = Path.of(executable);
            if (!p.isAbsolute() && workingDir != null && !workingDir.isBlank()) {
                p = Path.of(workingDir).resolve(p);
            }
            return Files.isExecutable(p) && !Files.isDirectory(p) ? p : null;
        }
        for (String dir : path.split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir).resolve(executable);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }
}
