package dev.coracle.server.controller;

import dev.coracle.server.api.ApiException;

/** {@code apierrors.HasStatusCause(err, NamespaceTerminatingCause)}: the API refused to create in a namespace being deleted. */
public final class NamespaceTerminating {

    private NamespaceTerminating() {
    }

    public static boolean is(ApiException e) {
        return e.code() == 403 && e.getMessage() != null && e.getMessage().contains("because it is being terminated");
    }
}
