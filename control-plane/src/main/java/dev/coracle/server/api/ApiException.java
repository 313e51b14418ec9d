package dev.coracle.server.api;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;

import java.util.List;

/**
 * An API error that becomes a Kubernetes {@code Status} response, worded as kube-apiserver words it.
 */
public class ApiException extends RuntimeException {

    private final Status status;

    public ApiException(Status status) {
        super(status.getMessage());
        this.status = status;
    }

    public Status status() {
        return status;
    }

    public int code() {
        return status.getCode();
    }

    public static ApiException of(int code, String reason, String message) {
        return new ApiException(new StatusBuilder()
                .withStatus("Failure").withCode(code).withReason(reason).withMessage(message)
                .withNewMetadata().endMetadata().build());
    }

    public static ApiException badRequest(String message) {
        return of(400, "BadRequest", message);
    }

    public static ApiException unauthorized() {
        return of(401, "Unauthorized", "Unauthorized");
    }

    public static ApiException forbidden(String message) {
        return of(403, "Forbidden", message);
    }

    public static ApiException notFound(String group, String resource, String name) {
        String qualified = group == null || group.isEmpty() ? resource : resource + "." + group;
        ApiException e = of(404, "NotFound", qualified + " \"" + name + "\" not found");
        e.status.setDetails(new io.fabric8.kubernetes.api.model.StatusDetailsBuilder()
                .withName(name).withGroup(group == null || group.isEmpty() ? null : group).withKind(resource).build());
        return e;
    }

    public static ApiException pathNotFound() {
        return of(404, "NotFound", "the server could not find the requested resource");
    }

    public static ApiException methodNotAllowed(String message) {
        return of(405, "MethodNotAllowed", message);
    }

    public static ApiException alreadyExists(String group, String resource, String name) {
        String qualified = group == null || group.isEmpty() ? resource : resource + "." + group;
        ApiException e = of(409, "AlreadyExists", qualified + " \"" + name + "\" already exists");
        e.status.setDetails(new io.fabric8.kubernetes.api.model.StatusDetailsBuilder()
                .withName(name).withGroup(group == null || group.isEmpty() ? null : group).withKind(resource).build());
        return e;
    }

    public static ApiException conflict(String group, String resource, String name, String why) {
        String qualified = group == null || group.isEmpty() ? resource : resource + "." + group;
        ApiException e = of(409, "Conflict", "Operation cannot be fulfilled on " + qualified + " \"" + name + "\": " + why);
        e.status.setDetails(new io.fabric8.kubernetes.api.model.StatusDetailsBuilder()
                .withName(name).withGroup(group == null || group.isEmpty() ? null : group).withKind(resource).build());
        return e;
    }

    public static ApiException gone(String message) {
        return of(410, "Expired", message);
    }

    public static ApiException tooLarge(String message) {
        return of(413, "RequestEntityTooLarge", message);
    }

    public static ApiException unsupportedMediaType(String contentType) {
        return of(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: "
                + "application/json, application/yaml, application/vnd.kubernetes.protobuf"
                + (contentType == null ? "" : " (got " + contentType + ")"));
    }

    public static ApiException notAcceptable(String message) {
        return of(406, "NotAcceptable", message);
    }

    /**
     * A 429 TooManyRequests, as {@code errors.NewTooManyRequests}: the details carry the seconds to wait (none when 0)
     * and the causes given.
     */
    public static ApiException tooManyRequests(String message, int retryAfterSeconds, List<StatusCause> causes) {
        ApiException e = of(429, "TooManyRequests", message);
        e.status.setDetails(new io.fabric8.kubernetes.api.model.StatusDetailsBuilder()
                .withRetryAfterSeconds(retryAfterSeconds > 0 ? retryAfterSeconds : null).withCauses(causes).build());
        return e;
    }

    public static ApiException internal(String message) {
        return of(500, "InternalError", "Internal error occurred: " + message);
    }

    /** A 422 Invalid, as kube-apiserver: {@code Kind.group "name" is invalid: field: reason, ...}. */
    public static ApiException invalid(String kindQualified, String name, List<FieldError> errors) {
        List<StatusCause> causes = errors.stream()
                .map(f -> new StatusCauseBuilder().withField(f.field()).withReason(f.type()).withMessage(f.message()).build())
                .toList();
        String summary = errors.stream().map(FieldError::render).reduce((a, b) -> a + ", " + b).orElse("");
        if (errors.size() > 1) {
            summary = "[" + summary + "]";
        }
        ApiException e = of(422, "Invalid", kindQualified + " \"" + name + "\" is invalid: " + summary);
        String kind = kindQualified.contains(".") ? kindQualified.substring(0, kindQualified.indexOf('.')) : kindQualified;
        String group = kindQualified.contains(".") ? kindQualified.substring(kindQualified.indexOf('.') + 1) : null;
        e.status.setDetails(new io.fabric8.kubernetes.api.model.StatusDetailsBuilder()
                .withName(name).withGroup(group).withKind(kind).withCauses(causes).build());
        return e;
    }

    /**
     * One field error, like k8s.io/apimachinery's field.Error: {@code type} is the cause reason
     * (FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, FieldValueDuplicate, FieldValueForbidden, FieldValueTooLong).
     */
    public record FieldError(String type, String field, String message) {

        public static FieldError required(String field) {
            return new FieldError("FieldValueRequired", field, "Required value");
        }

        public static FieldError required(String field, String detail) {
            return new FieldError("FieldValueRequired", field, "Required value: " + detail);
        }

        public static FieldError invalid(String field, Object value, String detail) {
            return new FieldError("FieldValueInvalid", field, "Invalid value: " + quote(value) + ": " + detail);
        }

        public static FieldError notSupported(String field, Object value, List<String> supported) {
            return new FieldError("FieldValueNotSupported", field, "Unsupported value: " + quote(value)
                    + ": supported values: " + String.join(", ", supported.stream().map(s -> "\"" + s + "\"").toList()));
        }

        public static FieldError duplicate(String field, Object value) {
            return new FieldError("FieldValueDuplicate", field, "Duplicate value: " + quote(value));
        }

        public static FieldError forbidden(String field, String detail) {
            return new FieldError("FieldValueForbidden", field, "Forbidden: " + detail);
        }

        String render() {
            return field + ": " + message;
        }

        private static String quote(Object value) {
            return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
        }
    }
}
