package dev.coracle.server.bootstrap;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prepares the data dir before Spring starts the web server (which needs the certificate) and
 * translates the k3s-style settings into Spring's: HTTPS on the listen port, the datastore URL.
 */
public class ServerPreparation implements ApplicationListener<ApplicationEvent> {

    private ClusterCredentials credentials;

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
            prepare(prepared.getEnvironment());
        } else if (event instanceof ApplicationPreparedEvent ready && credentials != null
                && !ready.getApplicationContext().getBeanFactory().containsSingleton("clusterCredentials")) {
            ready.getApplicationContext().getBeanFactory().registerSingleton("clusterCredentials", credentials);
        }
    }

    private void prepare(ConfigurableEnvironment environment) {
        ServerProperties properties = Binder.get(environment).bindOrCreate("coracle", ServerProperties.class);
        credentials = ClusterCredentials.prepare(properties);
        Map<String, Object> derived = new LinkedHashMap<>();
        derived.put("server.port", properties.httpsListenPort());
        derived.put("server.address", properties.bindAddress());
        derived.put("server.ssl.enabled", true);
        derived.put("server.ssl.certificate", credentials.servingCertificate().toUri().toString());
        derived.put("server.ssl.certificate-private-key", credentials.servingKey().toUri().toString());
        derived.putAll(datasource(properties));
        environment.getPropertySources().addFirst(new MapPropertySource("coracle-derived", derived));
    }

    /** {@code postgres://user:pass@host:port/db} (k3s's form), or the embedded H2 file store in the data dir. */
    static Map<String, Object> datasource(ServerProperties properties) {
        Map<String, Object> out = new LinkedHashMap<>();
        String endpoint = properties.datastoreEndpoint();
        if (endpoint == null || endpoint.isBlank()) {
            String file = properties.dataDir().toAbsolutePath().resolve("db/state").toString();
            out.put("spring.datasource.url", "jdbc:h2:file:" + file + ";DB_CLOSE_ON_EXIT=FALSE");
            out.put("spring.datasource.username", "sa");
            out.put("spring.datasource.password", "");
            out.put("spring.datasource.driver-class-name", "org.h2.Driver");
            out.put("coracle.datastore", "h2");
            return out;
        }
        if (endpoint.startsWith("jdbc:")) {
            out.put("spring.datasource.url", endpoint);
            out.put("coracle.datastore", endpoint.startsWith("jdbc:h2") ? "h2" : "postgresql");
            return out;
        }
        URI uri = URI.create(endpoint);
        if (!uri.getScheme().startsWith("postgres")) {
            throw new IllegalArgumentException("--datastore-endpoint must be postgres://user:pass@host:port/db, got " + endpoint);
        }
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        out.put("spring.datasource.url", "jdbc:postgresql://" + uri.getHost() + ":" + port + uri.getPath() + query);
        if (uri.getRawUserInfo() != null) {
            String[] userInfo = uri.getRawUserInfo().split(":", 2);
            out.put("spring.datasource.username", URLDecoder.decode(userInfo[0], StandardCharsets.UTF_8));
            out.put("spring.datasource.password", userInfo.length > 1 ? URLDecoder.decode(userInfo[1], StandardCharsets.UTF_8) : "");
        }
        out.put("spring.datasource.driver-class-name", "org.postgresql.Driver");
        out.put("coracle.datastore", "postgresql");
        return out;
    }
}
