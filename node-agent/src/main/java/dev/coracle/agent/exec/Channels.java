package dev.coracle.agent.exec;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Kubernetes' channel protocol for exec over WebSocket ({@code v5.channel.k8s.io}, {@code v4.channel.k8s.io}):
 * each binary message starts with its channel — 0 stdin, 1 stdout, 2 stderr, 3 the final status
 * (a {@code Status} in JSON), 4 terminal resize ({@code {"Width":80,"Height":24}}) and, in v5 only,
 * 255 close (the second byte names the channel the client is done writing, 0 for stdin).
 */
public final class Channels {

    public static final String V5 = "v5.channel.k8s.io";
    public static final String V4 = "v4.channel.k8s.io";
    /** Ours, in order of preference. */
    public static final List<String> PROTOCOLS = List.of(V5, V4);

    public static final int STDIN = 0;
    public static final int STDOUT = 1;
    public static final int STDERR = 2;
    public static final int ERROR = 3;
    public static final int RESIZE = 4;
    public static final int CLOSE = 255;

    private Channels() {
    }

    public static byte[] frame(int channel, byte[] data, int offset, int length) {
        byte[] out = new byte[length + 1];
        out[0] = (byte) channel;
        System.arraycopy(data, offset, out, 1, length);
        return out;
    }

    /** The channel of a received message, or -1 for an empty one. */
    public static int channel(byte[] message) {
        return message.length == 0 ? -1 : message[0] & 0xff;
    }

    public static byte[] payload(byte[] message) {
        return message.length <= 1 ? new byte[0] : Arrays.copyOfRange(message, 1, message.length);
    }

    /** The status message that ends an exec: Success, or Failure with reason NonZeroExitCode and the code as cause ExitCode. */
    public static byte[] exitStatus(int exitCode, List<String> command) {
        Status status;
        if (exitCode == 0) {
            status = new StatusBuilder().withNewMetadata().endMetadata().withStatus("Success").build();
        } else {
            status = new StatusBuilder().withNewMetadata().endMetadata().withStatus("Failure")
                    .withMessage("command terminated with non-zero exit code: error executing command " + command
                            + ", exit code " + exitCode)
                    .withReason("NonZeroExitCode")
                    .withNewDetails().addNewCause().withReason("ExitCode").withMessage(String.valueOf(exitCode)).endCause().endDetails()
                    .build();
        }
        return statusFrame(status);
    }

    /** A failure that ends an exec before the command ran (say it could not be started). */
    public static byte[] failure(String message) {
        return statusFrame(new StatusBuilder().withNewMetadata().endMetadata().withStatus("Failure").withMessage(message)
                .withReason("InternalError").withCode(500).build());
    }

    private static byte[] statusFrame(Status status) {
        byte[] json = Serialization.asJson(status).getBytes(StandardCharsets.UTF_8);
        return frame(ERROR, json, 0, json.length);
    }

    /** A resize message's size, {@code [width, height]}, or null if it is not one. */
    public static int[] size(byte[] payload) {
        try {
            var tree = Serialization.unmarshal(new String(payload, StandardCharsets.UTF_8), java.util.Map.class);
            Object w = tree.get("Width");
            Object h = tree.get("Height");
            return w instanceof Number width && h instanceof Number height ? new int[]{width.intValue(), height.intValue()} : null;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
