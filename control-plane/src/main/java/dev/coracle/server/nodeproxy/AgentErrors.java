package dev.coracle.server.nodeproxy;

import dev.coracle.server.api.ApiException;

/** The agent's answers and failures as the API's Status errors, as kube-apiserver turns kubelet errors into them. */
final class AgentErrors {

    private AgentErrors() {
    }

    static ApiException fromAgent(int code, String message) {
        return switch (code) {
            case 400 -> ApiException.badRequest(message);
            case 404 -> ApiException.of(404, "NotFound", message);
            case 401, 403 -> ApiException.of(500, "InternalError", "the node agent refused the control plane (HTTP " + code + "): " + message);
            default -> ApiException.of(500, "InternalError", message);
        };
    }

    /** The agent cannot be reached: kube-apiserver's wording for a kubelet it cannot dial, {@code Get "URL": why}. */
    static ApiException unreachable(java.net.URI url, Throwable cause) {
        String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return ApiException.of(500, "InternalError", "Get \"" + url + "\": " + why);
    }
}
