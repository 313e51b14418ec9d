package dev.coracle.dashboard;

import dev.coracle.testsupport.ServerProcess;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code ./coracle agent} as a real process: a node of the test's cluster. */
final class AgentProcess implements AutoCloseable {

    private final Process process;

    private AgentProcess(Process process) {
        this.process = process;
    }

    static AgentProcess start(ServerProcess server, String nodeName, Path dataDir, int agentPort) throws Exception {
        Path log = Path.of("target", "dashboard-test-logs", "agent-" + nodeName + ".log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>(List.of(ServerProcess.root().resolve("coracle").toString(), "agent",
                "--server", server.url(), "--token", server.joinToken(), "--node-name", nodeName, "--node-ip", "127.0.0.1",
                "--data-dir", dataDir.toString(), "--agent-port", String.valueOf(agentPort), "--stop-pods-on-exit",
                "--proxy-mode", "none"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(ServerProcess.root().toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().remove("KUBECONFIG");
        Process process = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        return new AgentProcess(process);
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
