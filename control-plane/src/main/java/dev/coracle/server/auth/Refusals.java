package dev.coracle.server.auth;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.RequestInfo;
import org.springframework.web.server.ServerWebExchange;

/** kube-apiserver's 403 for what a user may not do, and the verb a request is, as its RequestInfo resolver names it. */
final class Refusals {

    private Refusals() {
    }

    /** {@code pods "x" is forbidden: User "u" cannot get resource "pods" in API group "" in the namespace "ns"[: why]}. */
    static ApiException forbidden(String user, RequestInfo info, ServerWebExchange exchange, String why) {
        String resource = info.subresource() == null ? info.resource() : info.resource() + "/" + info.subresource();
        String object = info.name() == null ? info.resource() : info.resource() + " \"" + info.name() + "\"";
        String where = info.namespace() == null ? "at the cluster scope" : "in the namespace \"" + info.namespace() + "\"";
        return ApiException.forbidden(object + " is forbidden: User \"" + user + "\" cannot " + verb(info, exchange) + " resource \""
                + resource + "\" in API group \"" + info.group() + "\" " + where + (why == null ? "" : ": " + why));
    }

    /** {@code forbidden: User "u" cannot get path "/metrics"}. */
    static ApiException forbiddenPath(String user, String path, ServerWebExchange exchange) {
        return ApiException.forbidden("forbidden: User \"" + user + "\" cannot " + exchange.getRequest().getMethod().name().toLowerCase()
                + " path \"" + path + "\"");
    }

    static String verb(RequestInfo info, ServerWebExchange exchange) {
        return info.verb(exchange.getRequest().getMethod(), exchange.getRequest().getQueryParams());
    }
}
