package dev.coracle.server.patch;

import dev.coracle.server.api.ApiException;

import java.util.Locale;

/** The four PATCH bodies kube-apiserver accepts, by their {@code Content-Type}. */
public enum PatchType {
    JSON_PATCH("application/json-patch+json"),
    MERGE_PATCH("application/merge-patch+json"),
    STRATEGIC_MERGE_PATCH("application/strategic-merge-patch+json"),
    APPLY_PATCH("application/apply-patch+yaml");

    private final String contentType;

    PatchType(String contentType) {
        this.contentType = contentType;
    }

    public String contentType() {
        return contentType;
    }

    /**
     * The patch type of a request's {@code Content-Type} (parameters such as {@code charset} ignored);
     * anything else is a 415 listing the accepted types, as kube-apiserver words it.
     */
    public static PatchType fromContentType(String contentType) {
        if (contentType != null) {
            String mediaType = contentType;
            int semicolon = mediaType.indexOf(';');
            if (semicolon >= 0) {
                mediaType = mediaType.substring(0, semicolon);
            }
            mediaType = mediaType.trim().toLowerCase(Locale.ROOT);
            for (PatchType type : values()) {
                if (type.contentType.equals(mediaType)) {
                    return type;
                }
            }
        }
        throw unsupported(true);
    }

    /** kube-apiserver's 415 for a PATCH body type it does not take (no strategic merge for custom resources). */
    static ApiException unsupported(boolean strategicMergeSupported) {
        return ApiException.of(415, "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types include: "
                        + "application/json-patch+json, application/merge-patch+json, "
                        + (strategicMergeSupported ? "application/strategic-merge-patch+json, " : "")
                        + "application/apply-patch+yaml");
    }
}
