package dev.coracle.server.api;

import org.springframework.util.MultiValueMap;

/** The query parameters of an API request, read as kube-apiserver reads them. */
public record Query(MultiValueMap<String, String> params) {

    public static Query none() {
        return new Query(new org.springframework.util.LinkedMultiValueMap<>());
    }

    /** The query of an internal write, naming its field manager. */
    public static Query manager(String fieldManager) {
        Query q = none();
        q.params().add("fieldManager", fieldManager);
        return q;
    }

    public String get(String name) {
        String v = params.getFirst(name);
        return v == null || v.isEmpty() ? null : v;
    }

    public boolean flag(String name) {
        String v = params.getFirst(name);
        return v != null && (v.isEmpty() || v.equals("1") || v.equalsIgnoreCase("true"));
    }

    public boolean dryRun() {
        String v = get("dryRun");
        if (v == null) {
            return false;
        }
        if (!v.equals("All")) {
            throw ApiException.badRequest("Invalid dryRun value: \"" + v + "\": supported values: \"All\"");
        }
        return true;
    }

    public Long number(String name) {
        String v = get(name);
        if (v == null) {
            return null;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid value for " + name + ": \"" + v + "\"");
        }
    }

    /** Strict, Warn (the default) or Ignore. */
    public String fieldValidation() {
        String v = get("fieldValidation");
        if (v == null) {
            return "Warn";
        }
        if (!v.equals("Strict") && !v.equals("Warn") && !v.equals("Ignore")) {
            throw ApiException.badRequest("fieldValidation: Unsupported value: \"" + v + "\": supported values: \"Ignore\", \"Strict\", \"Warn\"");
        }
        return v;
    }
}
