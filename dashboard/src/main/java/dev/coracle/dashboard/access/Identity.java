package dev.coracle.dashboard.access;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Who the API calls are made as: the kubeconfig's own user (local mode) or a bearer token given on the login page
 * (shared mode). The token lives only in the server-side session; {@link #toString()} never shows it.
 */
public final class Identity implements Serializable {

    public static final Identity LOCAL = new Identity(null);

    private final String token;
    private final String key;

    private Identity(String token) {
        this.token = token;
        this.key = token == null ? "local" : "token:" + sha256(token).substring(0, 16);
    }

    public static Identity bearer(String token) {
        return new Identity(token);
    }

    /** Null for the kubeconfig's user. */
    String token() {
        return token;
    }

    /** A stable, non-secret key: one cache of watches is shared by every session of the same identity. */
    public String key() {
        return key;
    }

    public boolean local() {
        return token == null;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Identity other && other.key.equals(key);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }

    @Override
    public String toString() {
        return key;
    }
}
