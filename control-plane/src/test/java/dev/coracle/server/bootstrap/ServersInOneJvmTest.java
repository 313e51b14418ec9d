package dev.coracle.server.bootstrap;

import dev.coracle.server.testing.TestServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ServersInOneJvmTest {

    @Test
    void closingOneServerLeavesAnotherInTheSameJvmServing() {
        try (TestServer kept = TestServer.embedded()) {
            TestServer.embedded().close();

            assertThat(kept.send("GET", "/api/v1/namespaces", null, null).statusCode()).isEqualTo(200);
        }
    }
}
