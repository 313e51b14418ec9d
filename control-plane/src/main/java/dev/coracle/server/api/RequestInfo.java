package dev.coracle.server.api;

import java.util.ArrayList;
import java.util.List;

/**
 * What a resource path names, as kube-apiserver's RequestInfoResolver reads it:
 * {@code /api/v1/namespaces/default/pods/web/status} → group "", version v1, namespace default,
 * resource pods, name web, subresource status.
 */
public record RequestInfo(String group, String version, String namespace, String resource, String name,
                          String subresource, boolean legacyWatchPath) {

    /**
     * @param namespacedResource tells, for {@code /namespaces/X/Y}, whether Y is a namespaced resource
     *                           (then X is a namespace) or a subresource of namespace X
     */
    public static RequestInfo parse(String path, java.util.function.BiPredicate<String, String> namespacedResource) {
        List<String> parts = segments(path);
        if (parts.isEmpty()) {
            return null;
        }
        int i;
        String group;
        String version;
        if (parts.get(0).equals("api") && parts.size() >= 2) {
            group = "";
            version = parts.get(1);
            i = 2;
        } else if (parts.get(0).equals("apis") && parts.size() >= 3) {
            group = parts.get(1);
            version = parts.get(2);
            i = 3;
        } else {
            return null;
        }
        boolean watch = false;
        if (i < parts.size() && parts.get(i).equals("watch")) {
            watch = true;
            i++;
        }
        List<String> rest = parts.subList(i, parts.size());
        if (rest.isEmpty()) {
            return new RequestInfo(group, version, null, null, null, null, watch);
        }
        String namespace = null;
        if (rest.get(0).equals("namespaces") && rest.size() >= 3 && namespacedResource.test(group.isEmpty() ? version : group + "/" + version, rest.get(2))) {
            namespace = rest.get(1);
            rest = rest.subList(2, rest.size());
        }
        if (rest.size() > 3 && !rest.get(2).equals("proxy")) {
            return null; // only a proxy subresource has a path of its own after it
        }
        return new RequestInfo(group, version, namespace, rest.get(0),
                rest.size() > 1 ? rest.get(1) : null, rest.size() > 2 ? rest.get(2) : null, watch);
    }

    /** The path's non-empty segments: {@code //api/v1/} → [api, v1]. Every request reads its path: no regex here. */
    public static List<String> segments(String path) {
        List<String> out = new ArrayList<>(8);
        int start = 0;
        int n = path.length();
        while (start < n) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = n;
            }
            if (end > start) {
                out.add(path.substring(start, end));
            }
            start = end + 1;
        }
        return out;
    }

    /**
     * The request's verb as RequestInfoFactory names it (get, list, watch, create, update, patch, delete,
     * deletecollection), what authorization and the request metrics both read.
     */
    public String verb(org.springframework.http.HttpMethod method, org.springframework.util.MultiValueMap<String, String> query) {
        boolean collection = name == null;
        if (method == org.springframework.http.HttpMethod.GET || method == org.springframework.http.HttpMethod.HEAD) {
            String watch = query.getFirst("watch");
            boolean watching = legacyWatchPath || watch != null && (watch.isEmpty() || watch.equals("1") || watch.equals("true"));
            return watching ? "watch" : collection ? "list" : "get";
        }
        if (method == org.springframework.http.HttpMethod.POST) {
            return "create";
        }
        if (method == org.springframework.http.HttpMethod.PUT) {
            return "update";
        }
        if (method == org.springframework.http.HttpMethod.PATCH) {
            return "patch";
        }
        if (method == org.springframework.http.HttpMethod.DELETE) {
            return collection ? "deletecollection" : "delete";
        }
        return method.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code /healthz//} → {@code /healthz}. */
    public static String withoutTrailingSlashes(String path) {
        int end = path.length();
        while (end > 0 && path.charAt(end - 1) == '/') {
            end--;
        }
        return end == path.length() ? path : path.substring(0, end);
    }
}
