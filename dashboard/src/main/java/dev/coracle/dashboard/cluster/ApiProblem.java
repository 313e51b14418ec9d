package dev.coracle.dashboard.cluster;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** The API answered with an error the page must show as such (401, 403, 404 ...), or could not be reached (code 0). */
public class ApiProblem extends RuntimeException {

    private final int code;

    public ApiProblem(int code, String message) {
        super(message);
        this.code = code;
    }

    public static ApiProblem of(Throwable t) {
        Throwable cause = t;
        while (cause != null && !(cause instanceof KubernetesClientException) && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof KubernetesClientException k) {
            String message = k.getStatus() != null && k.getStatus().getMessage() != null ? k.getStatus().getMessage() : k.getMessage();
            return new ApiProblem(k.getCode(), message);
        }
        return new ApiProblem(0, t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
    }

    /** 0 when the API could not be reached at all. */
    public int code() {
        return code;
    }

    public boolean authorization() {
        return code == 401 || code == 403;
    }
}
