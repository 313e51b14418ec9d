package dev.coracle.agent.logs;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;

/**
 * One line of a CRI log file: {@code 2026-11-27T08:00:00.123456789Z stdout F text}, where the tag
 * {@code F} ends a line and {@code P} marks a piece of a longer line continued by the next entry.
 * A line in any other shape (raw output) is taken as a whole stdout line without a timestamp.
 */
record CriLine(Instant timestamp, String stream, boolean partial, byte[] content) {

    static CriLine parse(byte[] line) {
        int s1 = indexOf(line, (byte) ' ', 0);
        int s2 = s1 < 0 ? -1 : indexOf(line, (byte) ' ', s1 + 1);
        if (s1 <= 0 || s2 < 0) {
            return raw(line);
        }
        String stream = new String(line, s1 + 1, s2 - s1 - 1, java.nio.charset.StandardCharsets.US_ASCII);
        if (!stream.equals("stdout") && !stream.equals("stderr")) {
            return raw(line);
        }
        int s3 = indexOf(line, (byte) ' ', s2 + 1);
        int tagEnd = s3 < 0 ? line.length : s3;
        if (tagEnd == s2 + 1) {
            return raw(line);
        }
        // the tag may carry more fields after ':', the first is P or F
        char tag = (char) line[s2 + 1];
        if (tag != 'P' && tag != 'F') {
            return raw(line);
        }
        Instant timestamp;
        try {
            timestamp = OffsetDateTime.parse(new String(line, 0, s1, java.nio.charset.StandardCharsets.US_ASCII)).toInstant();
        } catch (DateTimeParseException e) {
            return raw(line);
        }
        byte[] content = s3 < 0 ? new byte[0] : Arrays.copyOfRange(line, s3 + 1, line.length);
        return new CriLine(timestamp, stream, tag == 'P', content);
    }

    private static CriLine raw(byte[] line) {
        return new CriLine(null, "stdout", false, line);
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
