package dev.coracle.dashboard;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DashboardFlagsTest {

    @TempDir
    Path tmp;

    @Test
    void loopbackIsLocalModeAnyOtherAddressIsSharedWithHttps() throws Exception {
        Path kubeconfig = Files.writeString(tmp.resolve("kubeconfig.yaml"), "apiVersion: v1\nkind: Config\n");
        DashboardFlags local = DashboardFlags.parse("--kubeconfig", kubeconfig.toString());
        assertThat(local.shared()).isFalse();
        assertThat(local.asProperties()).containsEntry("server.port", 8080).containsEntry("server.address", "127.0.0.1")
                .containsEntry("server.servlet.session.timeout", "43200s").containsEntry("coracle.dashboard.tls", false);
        DashboardFlags shared = DashboardFlags.parse("--kubeconfig", kubeconfig.toString(), "--bind-address", "0.0.0.0", "--port=9090");
        assertThat(shared.shared()).isTrue();
        assertThat(shared.asProperties()).containsEntry("server.port", 9090).containsEntry("coracle.dashboard.tls", true);
        DashboardFlags forced = DashboardFlags.parse("--kubeconfig", kubeconfig.toString(), "--auth", "token", "--session-timeout", "30m");
        assertThat(forced.shared()).isTrue();
        assertThat(forced.sessionTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(forced.asProperties()).containsEntry("coracle.dashboard.tls", false);
    }

    @Test
    void badFlagsAreRefusedByName() throws Exception {
        Path kubeconfig = Files.writeString(tmp.resolve("kubeconfig.yaml"), "apiVersion: v1\nkind: Config\n");
        assertThatThrownBy(() -> DashboardFlags.parse("--kubeconfig", tmp.resolve("missing").toString())).hasMessageContaining("--kubeconfig");
        assertThatThrownBy(() -> DashboardFlags.parse("--kubeconfig", kubeconfig.toString(), "--colour", "blue")).hasMessageContaining("--colour");
        assertThatThrownBy(() -> DashboardFlags.parse("--kubeconfig", kubeconfig.toString(), "--auth", "none")).hasMessageContaining("--auth");
        assertThatThrownBy(() -> DashboardFlags.parse("--kubeconfig", kubeconfig.toString(), "--port")).hasMessageContaining("--port");
    }
}
