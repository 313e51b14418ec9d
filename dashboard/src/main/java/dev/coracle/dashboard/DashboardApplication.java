package dev.coracle.dashboard;

import dev.coracle.dashboard.access.ServingCertificate;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Coracle's web dashboard: {@code ./coracle dashboard --kubeconfig FILE [--port 8080] [--bind-address 127.0.0.1]}.
 * An ordinary Kubernetes API client — everything it shows comes from watches made with the user's own credentials.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class DashboardApplication {

    public static void main(String[] args) throws Exception {
        SpringApplication app = new SpringApplication(DashboardApplication.class);
        DashboardFlags flags = DashboardFlags.parse(args);
        app.setDefaultProperties(flags.asProperties(flags.needsGeneratedCertificate() ? ServingCertificate.selfSigned(flags.bindAddress()) : null));
        app.run();
    }
}
