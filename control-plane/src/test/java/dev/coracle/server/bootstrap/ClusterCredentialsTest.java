package dev.coracle.server.bootstrap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterCredentialsTest {

    @TempDir
    Path dataDir;

    @Test
    void anAgentMayJoinWithTheFullTokenOrTheSharedSecretLikeK3s() throws Exception {
        ClusterCredentials credentials = ClusterCredentials.prepare(new ServerProperties(dataDir, null, "127.0.0.1", 6443,
                null, "shared-secret", null, null, null, null, null));

        String full = Files.readString(dataDir.resolve("token")).trim();
        assertThat(full).startsWith("K10").endsWith("::server:shared-secret");
        assertThat(credentials.isJoinToken(full)).isTrue();
        assertThat(credentials.isJoinToken("shared-secret")).isTrue();
        assertThat(credentials.isJoinToken("shared-secre")).isFalse();
        assertThat(credentials.isJoinToken("")).isFalse();
        assertThat(credentials.isJoinToken(full.replace("K10", "K10x"))).isFalse();
    }
}
