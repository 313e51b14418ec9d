package dev.coracle.agent;

import dev.coracle.agent.join.JoinException;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import java.util.concurrent.CountDownLatch;

/**
 * {@code ./coracle agent --server https://HOST:6443 --token TOKEN ...}: the node agent as a process. Spring Boot
 * gives it logging, configuration and a clean shutdown on SIGTERM; nothing else of it is used, so no
 * auto-configuration and no component scan (each would load classes and start pools the agent never needs).
 */
@SpringBootConfiguration
public class NodeAgentApplication {

    public static void main(String[] args) {
        AgentFlags flags;
        try {
            flags = AgentFlags.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("coracle agent: " + e.getMessage());
            System.exit(2);
            return;
        }
        SpringApplication app = new SpringApplication(NodeAgentApplication.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.addInitializers(context -> context.getBeanFactory().registerSingleton("agentFlags", flags));
        try {
            // a refused join is reported below in one line, not as Spring's start-up failure stack trace
            ConfigurableApplicationContext context = app.run("--spring.main.banner-mode=off",
                    "--logging.level.org.springframework.boot.SpringApplication=OFF");
            context.getBean(Running.class).await();
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause != null && !(cause instanceof JoinException)) {
                cause = cause.getCause();
            }
            if (cause == null) {
                e.printStackTrace();
            }
            System.err.println("coracle agent: " + (cause != null ? cause.getMessage() : e.toString()));
            System.exit(1);
        }
    }

    /** Keeps the JVM up while the agent runs; stopping the context (SIGTERM) closes the agent. */
    static final class Running implements CommandLineRunner, AutoCloseable {
        private final AgentFlags flags;
        private final CountDownLatch stopped = new CountDownLatch(1);
        private volatile NodeAgent agent;

        Running(AgentFlags flags) {
            this.flags = flags;
        }

        @Override
        public void run(String... args) {
            agent = NodeAgent.start(flags);
            System.err.println("coracle agent: node " + flags.nodeName() + " joined " + flags.server());
        }

        void await() {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            if (agent != null) {
                agent.close();
            }
            stopped.countDown();
        }
    }

    @Bean
    Running running(AgentFlags agentFlags) {
        return new Running(agentFlags);
    }
}
