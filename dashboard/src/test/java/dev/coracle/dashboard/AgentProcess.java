package dev.coracle.dashboard;

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
        List<String> command = new ArrayList<>(List.of(ServerProcess.root().resolve("coracle").toString(), "agent",
                "--server", server.url(), "--token", server.joinToken(), "--node-name", nodeName, "--node-ip", "127.0.0.1",
                "--data-dir", dataDir.toString()));
        if (supportsAgentPort()) {
            command.addAll(List.of("--agent-port", String.valueOf(agentPort)));
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(ServerProcess.root().toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().remove("KUBECONFIG");
        Process process = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        return new AgentProcess(process);
    }

    /** Agents that serve logs and stats listen on a port of their own (--agent-port); older ones do not take it. */
    private static boolean supportsAgentPort() throws Exception {
        Path flags = ServerProcess.root().resolve("node-agent/src/main/java/dev/coracle/agent/AgentFlags.java");
        return Files.exists(flags) && Files.readString(flags).contains("\"agent-port\"");
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
