package dev.coracle.agent.probes;

/** One probe's outcome; {@code output} is what the Unhealthy event says when it failed. */
public record ProbeResult(boolean success, String output) {

    static ProbeResult ok(String output) {
        return new ProbeResult(true, output);
    }

    static ProbeResult failed(String output) {
        return new ProbeResult(false, output);
    }
}
