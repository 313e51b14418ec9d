package dev.coracle.agent.runtime;

/**
 * A command run in a running container ({@code kubectl exec}): its stdin, stdout and stderr are the
 * process's streams (with a tty, stderr is part of stdout, as on a terminal), and a tty can be resized.
 */
public interface ExecProcess {

    Process process();

    boolean tty();

    /** The terminal's new size, as kubectl sends it on the resize channel; ignored without a tty. */
    void resize(int columns, int rows);
}
