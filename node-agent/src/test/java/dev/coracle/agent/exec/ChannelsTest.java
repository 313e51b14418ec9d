package dev.coracle.agent.exec;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ChannelsTest {

    @Test
    void aFrameIsTheChannelByteThenThePayload() {
        byte[] frame = Channels.frame(Channels.STDERR, "xoopsx".getBytes(StandardCharsets.UTF_8), 1, 4);
        assertThat(frame).containsExactly(2, 'o', 'o', 'p', 's');
        assertThat(Channels.channel(frame)).isEqualTo(2);
        assertThat(new String(Channels.payload(frame), StandardCharsets.UTF_8)).isEqualTo("oops");
        assertThat(Channels.channel(new byte[]{(byte) 255, 0})).isEqualTo(Channels.CLOSE);
        assertThat(Channels.channel(new byte[0])).isEqualTo(-1);
    }

    @Test
    void aNonZeroExitIsAFailureStatusWithTheExitCodeAsCause() {
        byte[] frame = Channels.exitStatus(3, List.of("sh", "-c", "exit 3"));
        assertThat(Channels.channel(frame)).isEqualTo(Channels.ERROR);
        Status status = Serialization.unmarshal(new String(Channels.payload(frame), StandardCharsets.UTF_8), Status.class);
        assertThat(status.getStatus()).isEqualTo("Failure");
        assertThat(status.getReason()).isEqualTo("NonZeroExitCode");
        assertThat(status.getDetails().getCauses()).singleElement().satisfies(cause -> {
            assertThat(cause.getReason()).isEqualTo("ExitCode");
            assertThat(cause.getMessage()).isEqualTo("3");
        });
        Status success = Serialization.unmarshal(new String(Channels.payload(Channels.exitStatus(0, List.of("true"))),
                StandardCharsets.UTF_8), Status.class);
        assertThat(success.getStatus()).isEqualTo("Success");
    }

    @Test
    void aResizeCarriesWidthAndHeight() {
        assertThat(Channels.size("{\"Width\":120,\"Height\":40}".getBytes(StandardCharsets.UTF_8))).containsExactly(120, 40);
        assertThat(Channels.size("not json".getBytes(StandardCharsets.UTF_8))).isNull();
    }
}
