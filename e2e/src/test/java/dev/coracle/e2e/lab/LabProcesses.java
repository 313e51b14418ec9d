package dev.coracle.e2e.lab;

import java.util.List;
import java.util.Map;

/** The processes of this machine whose command line names a path: what a test left running, if anything. */
final class LabProcesses {

    private LabProcesses() {
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
