package dev.coracle.agent.join;

/** The join failed; the message says why in words a user can act on. */
public class JoinException extends RuntimeException {
    public JoinException(String message) {
        super(message);
    }

    public JoinException(String message, Throwable cause) {
        super(message, cause);
    }
}
