package dev.coracle.e2e.lab;

import dev.coracle.testsupport.ServerProcess;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The processes of this machine whose command line names a path: what a test left running, if anything. */
final class LabProcesses {

    private LabProcesses() {
    }

    /** Waits (at most {@code timeout}) until all of {@code processes} exited; returns those still alive, with their command lines. */
    static List<Map.Entry<Long, String>> awaitGone(List<ProcessHandle> processes, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (processes.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            ServerProcess.sleep(200);
        }
        return processes.stream().filter(ProcessHandle::isAlive)
                .map(p -> Map.entry(p.pid(), p.info().commandLine().orElse("?"))).toList();
    }

    static List<Map.Entry<Long, String>> mentioning(String path) {
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != self && p.isAlive())
                .map(p -> Map.entry(p.pid(), p.info().commandLine().orElse("")))
                .filter(entry -> entry.getValue().contains(path))
                .toList();
    }
}
