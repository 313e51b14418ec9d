package dev.coracle.agent;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import dev.coracle.agent.join.JoinException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;

/**
 * {@code ./coracle agent --server https://HOST:6443 --token TOKEN ...}: the node agent as a process. Plain Java:
 * the agent needs logging (SLF4J and logback) and a clean stop on SIGTERM (a shutdown hook), and a Spring
 * application context for that alone cost every node some 1,300 loaded classes.
 */
public final class NodeAgentApplication {

    private NodeAgentApplication() {
    }

    public static void main(String[] args) {
        configureLogging();
        AgentFlags flags;
        try {
            flags = AgentFlags.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("coracle agent: " + e.getMessage());
            System.exit(2);
            return;
        }
        NodeAgent agent;
        try {
            agent = NodeAgent.start(flags);
        } catch (RuntimeException e) {
            // a refused join is reported in one line; anything else with its stack trace too
            Throwable cause = e;
            while (cause != null && !(cause instanceof JoinException)) {
                cause = cause.getCause();
            }
            if (cause == null) {
                e.printStackTrace();
            }
            System.err.println("coracle agent: " + (cause != null ? cause.getMessage() : e.toString()));
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "agent-shutdown"));
        System.err.println("coracle agent: node " + flags.nodeName() + " joined " + flags.server());
        try {
            stopped.await(); // the JVM's other threads are daemons: this one keeps it up until SIGTERM
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Spring Boot's console format at INFO, set up in code: a logback.xml would configure every JVM that has the
     * agent's classes on its class path, and reading one loads logback's XML machinery (some 400 classes).
     * {@code -Dlogback.configurationFile=...} still takes precedence.
     */
    private static void configureLogging() {
        if (System.getProperty("logback.configurationFile") != null
                || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        context.reset();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %5level " + ProcessHandle.current().pid()
                + " --- [%15.15thread] %-40.40logger{39} : %msg%n");
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("console");
        console.setEncoder(encoder);
        console.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console);
    }
}
