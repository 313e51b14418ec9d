package dev.coracle.server.api;

/** Where the authentication filter leaves the caller's user name on the exchange. */
public final class AuthenticatedUser {

    public static final String ATTRIBUTE = "coracle.user";

    private AuthenticatedUser() {
    }
}
