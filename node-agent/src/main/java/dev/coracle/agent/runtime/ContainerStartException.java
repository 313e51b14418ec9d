package dev.coracle.agent.runtime;

/** A container could not be started; {@link #reason} is the Waiting reason shown in its status. */
public class ContainerStartException extends RuntimeException {

    private final String reason;

    public ContainerStartException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
