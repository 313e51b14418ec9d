package dev.coracle.server.bootstrap;

import org.junit.jupiter.api.Test;

import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerFlagsTest {

    @Test
    void theSeedsK3sInstallLineIsAccepted() {
        String[] properties = ServerFlags.toProperties("--token", "secret", "--flannel-iface", "enp0s8",
                "--bind-address", "192.168.56.10", "--disable", "traefik", "--disable=servicelb",
                "--write-kubeconfig-mode", "644", "--disable-agent");

        assertThat(properties).containsExactly("--coracle.token=secret", "--coracle.iface=enp0s8",
                "--coracle.bind-address=192.168.56.10", "--coracle.disable[0]=traefik", "--coracle.disable[1]=servicelb",
                "--coracle.write-kubeconfig-mode=644", "--coracle.disable-agent=true");
    }

    @Test
    void anUnknownFlagIsRefusedByName() {
        assertThatThrownBy(() -> ServerFlags.toProperties("--node-label", "a=b"))
                .hasMessage("unknown flag: --node-label");
    }

    @Test
    void kubeconfigModeIsReadAsOctal() {
        assertThat(PosixFilePermissions.toString(KubeconfigWriter.permissions("644"))).isEqualTo("rw-r--r--");
        assertThat(PosixFilePermissions.toString(KubeconfigWriter.permissions("0640"))).isEqualTo("rw-r-----");
        assertThatThrownBy(() -> KubeconfigWriter.permissions("rw")).hasMessageContaining("--write-kubeconfig-mode");
        assertThatThrownBy(() -> KubeconfigWriter.permissions("1777")).hasMessageContaining("1777");
    }
}
