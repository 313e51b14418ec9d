package dev.coracle.server;

import dev.coracle.server.bootstrap.ServerFlags;
import dev.coracle.server.bootstrap.ServerPreparation;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The control plane: {@code coracle server}, like {@code k3s server}. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class CoracleServer {

    public static void main(String[] args) {
        start(args);
    }

    /** Starts a server with k3s-style flags; tests use this too, so they run what users run. */
    public static ConfigurableApplicationContext start(String... args) {
        SpringApplication app = new SpringApplication(CoracleServer.class);
        app.addListeners(new ServerPreparation());
        return app.run(ServerFlags.toProperties(args));
    }
}
