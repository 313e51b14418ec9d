package dev.coracle.agent.exec;

import dev.coracle.agent.runtime.ExecProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One {@code kubectl exec} on the agent: the process's stdout and stderr become channel 1 and 2
 * messages, channel 0 messages are written to its stdin (until a v5 close of channel 0), channel 4
 * resizes its terminal, and when it has exited and its output is drained, its exit status goes on
 * channel 3 and the stream ends. A client that goes away kills the process.
 */
public final class ExecSession {

    private static final Logger log = LoggerFactory.getLogger(ExecSession.class);

    private final ExecProcess exec;
    private final List<String> command;
    private final boolean stdin;
    private final Sinks.Many<byte[]> outgoing = Sinks.many().unicast().onBackpressureBuffer();
    /** Writes to stdin happen off the network thread, in order, since a pipe may block. */
    private final ExecutorService stdinWriter;
    private volatile boolean done;

    public ExecSession(ExecProcess exec, List<String> command, boolean stdin) {
        this.exec = exec;
        this.command = command;
        this.stdin = stdin;
        this.stdinWriter = Executors.newSingleThreadExecutor(r -> daemon(r, "exec-stdin"));
    }

    /** The messages to send to the client; starts pumping the process's output. */
    public Flux<byte[]> start() {
        if (!stdin) {
            closeStdin();
        }
        Process process = exec.process();
        Thread out = daemon(() -> pump(process.getInputStream(), Channels.STDOUT), "exec-stdout");
        Thread err = exec.tty() ? null : daemon(() -> pump(process.getErrorStream(), Channels.STDERR), "exec-stderr");
        out.start();
        if (err != null) {
            err.start();
        }
        daemon(() -> {
            try {
                int code = process.waitFor();
                out.join();
                if (err != null) {
                    err.join();
                }
                emit(Channels.exitStatus(code, command));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                done = true;
                stdinWriter.shutdownNow();
                synchronized (outgoing) {
                    outgoing.tryEmitComplete();
                }
            }
        }, "exec-wait").start();
        return outgoing.asFlux().doOnCancel(this::kill);
    }

    /** A message from the client. */
    public void receive(byte[] message) {
        int channel = Channels.channel(message);
        byte[] payload = Channels.payload(message);
        switch (channel) {
            case Channels.STDIN -> {
                if (stdin && payload.length > 0) {
                    later(() -> {
                        try {
                            OutputStream in = exec.process().getOutputStream();
                            in.write(payload);
                            in.flush();
                        } catch (IOException e) {
                            // the process closed its stdin: the rest of the input has nowhere to go
                        }
                    });
                }
            }
            case Channels.RESIZE -> {
                int[] size = Channels.size(payload);
                if (size != null) {
                    later(() -> exec.resize(size[0], size[1]));
                }
            }
            case Channels.CLOSE -> {
                if (payload.length > 0 && payload[0] == Channels.STDIN) {
                    later(this::closeStdin);
                }
            }
            default -> {
                // nothing else is sent by clients
            }
        }
    }

    private void later(Runnable work) {
        try {
            stdinWriter.execute(work);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the command has ended: input and resizes no longer matter
        }
    }

    /** The client went away before the command ended. */
    public void kill() {
        if (done) {
            return;
        }
        Process process = exec.process();
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        stdinWriter.shutdownNow();
        log.debug("exec of {} ended by its client", command);
    }

    private void closeStdin() {
        try {
            exec.process().getOutputStream().close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    private void pump(InputStream in, int channel) {
        byte[] buffer = new byte[16 * 1024];
        try {
            int n;
            while ((n = in.read(buffer)) > 0) {
                emit(Channels.frame(channel, buffer, 0, n));
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    private void emit(byte[] message) {
        synchronized (outgoing) {
            outgoing.tryEmitNext(message);
        }
    }

    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
