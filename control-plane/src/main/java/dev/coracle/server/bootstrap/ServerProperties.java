package dev.coracle.server.bootstrap;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The server's settings, with k3s's flag names ({@code --data-dir}, {@code --tls-san}, ...). */
@ConfigurationProperties("coracle")
public record ServerProperties(
        Path dataDir,
        String datastoreEndpoint,
        String bindAddress,
        Integer httpsListenPort,
        List<String> tlsSan,
        String token,
        String serviceCidr,
        String clusterCidr,
        String advertiseAddress,
        Watch watch,
        Compaction compaction) {

    public ServerProperties {
        dataDir = dataDir == null ? Path.of("data/server") : dataDir;
        bindAddress = bindAddress == null || bindAddress.isBlank() ? "0.0.0.0" : bindAddress;
        httpsListenPort = httpsListenPort == null ? 6443 : httpsListenPort;
        tlsSan = tlsSan == null ? List.of() : List.copyOf(tlsSan);
        serviceCidr = serviceCidr == null ? "10.43.0.0/16" : serviceCidr;
        clusterCidr = clusterCidr == null ? "10.42.0.0/16" : clusterCidr;
        watch = watch == null ? new Watch(null, null, null) : watch;
        compaction = compaction == null ? new Compaction(null, null) : compaction;
    }

    /**
     * @param cacheSize   events kept in memory for watchers resuming from a recent revision
     * @param bookmarkInterval how often a watch that asked for bookmarks gets one
     * @param maxTimeout  longest a watch stays open when the client set no timeoutSeconds
     */
    public record Watch(Integer cacheSize, Duration bookmarkInterval, Duration maxTimeout) {
        public Watch {
            cacheSize = cacheSize == null ? 5_000 : cacheSize;
            bookmarkInterval = bookmarkInterval == null ? Duration.ofSeconds(30) : bookmarkInterval;
            maxTimeout = maxTimeout == null ? Duration.ofMinutes(30) : maxTimeout;
        }
    }

    /** The revision log keeps the newest {@code retain} revisions; older ones are compacted every {@code interval}. */
    public record Compaction(Long retain, Duration interval) {
        public Compaction {
            retain = retain == null ? 100_000L : retain;
            interval = interval == null ? Duration.ofMinutes(1) : interval;
        }
    }
}
