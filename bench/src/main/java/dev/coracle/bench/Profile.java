package dev.coracle.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Summarises the server's CPU samples from a JFR recording: where its CPU went, by area of code and by hot method. */
final class Profile {

    /** Areas, first match wins, looked for anywhere in a sample's stack (inclusive). */
    private static final Map<String, List<String>> AREAS = new LinkedHashMap<>();

    static {
        AREAS.put("TLS (sun.security.ssl, javax.crypto)", List.of("sun.security.", "javax.crypto.", "com.sun.crypto.", "io.netty.handler.ssl."));
        AREAS.put("Hibernate / Spring transactions", List.of("org.hibernate.", "org.springframework.orm.", "org.springframework.transaction.",
                "org.springframework.data."));
        AREAS.put("PostgreSQL JDBC + Hikari", List.of("org.postgresql.", "com.zaxxer."));
        AREAS.put("JSON (Jackson) / Fabric8 model", List.of("tools.jackson.", "com.fasterxml.", "io.fabric8."));
        AREAS.put("Coracle code (dev.coracle), excluding the above", List.of("dev.coracle."));
        AREAS.put("Netty / Reactor / WebFlux, excluding the above", List.of("io.netty.", "reactor.", "org.springframework.web.",
                "org.springframework.http."));
    }

    private Profile() {
    }

    static String summarise(Path jfr, int topMethods) throws Exception {
        long samples = 0;
        Map<String, Long> areas = new LinkedHashMap<>();
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> coracle = new HashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (!frames.isEmpty()) {
                self.merge(name(frames.get(0)), 1L, Long::sum);
            }
            String area = "other (JDK, GC-free JVM code, …)";
            outer:
            for (Map.Entry<String, List<String>> a : AREAS.entrySet()) {
                for (RecordedFrame f : frames) {
                    String type = f.getMethod().getType().getName();
                    for (String prefix : a.getValue()) {
                        if (type.startsWith(prefix)) {
                            area = a.getKey();
                            break outer;
                        }
                    }
                }
            }
            areas.merge(area, 1L, Long::sum);
            // the outermost-but-one Coracle frame says which verb/step the sample belongs to
            for (int i = frames.size() - 1; i >= 0; i--) {
                String type = frames.get(i).getMethod().getType().getName();
                if (type.startsWith("dev.coracle.") && !type.contains("ResourceController")) {
                    coracle.merge(name(frames.get(i)), 1L, Long::sum);
                    break;
                }
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(samples).append(" CPU samples of the server (JFR `jdk.ExecutionSample`, `profile` settings, 10 ms period).\n\n");
        out.append("| Area (first match in the stack) | Share |\n|---|---|\n");
        long total = Math.max(1, samples);
        areas.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(a -> out.append(String.format("| %s | %.0f %% |\n", a.getKey(), 100.0 * a.getValue() / total)));
        out.append("\n| Hot method (self) | Share |\n|---|---|\n");
        self.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(topMethods)
                .forEach(m -> out.append(String.format("| `%s` | %.1f %% |\n", m.getKey(), 100.0 * m.getValue() / total)));
        out.append("\n| Outermost Coracle frame (which step) | Share |\n|---|---|\n");
        coracle.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(topMethods)
                .forEach(m -> out.append(String.format("| `%s` | %.1f %% |\n", m.getKey(), 100.0 * m.getValue() / total)));
        return out.toString();
    }

    private static String name(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.', type.lastIndexOf('.') - 1) + 1) + "." + f.getMethod().getName();
    }
}
