package dev.coracle.server.nodeproxy;

import dev.coracle.server.api.ApiException;

/**
 * Who may reach into containers through the control plane: not nodes and not the join token (as the
 * Node authorizer refuses nodes {@code pods/log}, {@code pods/exec} and the proxies); users may.
 */
public final class NodeAccess {

    private NodeAccess() {
    }

    static void requireUser(String user, String verb, String subresource, String namespace, String pod) {
        requireUser(user, verb, subresource, namespace, pod, "pods");
    }

    static void requireUser(String user, String verb, String subresource, String namespace, String name, String resource) {
        if (!isUser(user)) {
            throw ApiException.forbidden(resource + " \"" + name + "\" is forbidden: User \"" + user + "\" cannot " + verb
                    + " resource \"" + resource + "/" + subresource + "\" in API group \"\" in the namespace \"" + namespace + "\"");
        }
    }

    /** The subresources that reach into pods, which are for users only. */
    public static boolean reachesIntoPods(String resource, String subresource) {
        return resource.equals("pods") && java.util.Set.of("log", "exec", "attach", "portforward", "proxy").contains(subresource)
                || resource.equals("services") && subresource.equals("proxy");
    }

    /** Whether the caller is a user (not a node, not the join token): the subresources that reach into pods are for users. */
    public static boolean isUser(String user) {
        return user != null && !user.startsWith("system:node:") && !user.equals("system:node-bootstrap");
    }
}
