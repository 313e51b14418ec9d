package dev.coracle.server.api;

import dev.coracle.server.store.StoreExceptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

/** Turns whatever a request ran into into the Status Kubernetes would answer. */
public final class Errors {

    private static final Logger log = LoggerFactory.getLogger(Errors.class);

    private Errors() {
    }

    public static ApiException toApi(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof ApiException) && !(cause instanceof StoreExceptions.Compacted)) {
            if (cause instanceof JacksonException) {
                break;
            }
            cause = cause.getCause();
        }
        if (cause instanceof ApiException api) {
            return api;
        }
        if (cause instanceof StoreExceptions.Compacted c) {
            return ApiException.gone("The resourceVersion for the provided list is too old.");
        }
        if (cause instanceof JacksonException j) {
            return ApiException.badRequest("error decoding body: " + j.getOriginalMessage());
        }
        log.error("internal error serving a request", e);
        return ApiException.internal(String.valueOf(e.getMessage()));
    }
}
