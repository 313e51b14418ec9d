package dev.coracle.server.nodeproxy;

import dev.coracle.server.api.ApiException;

/**
 * Who may reach into containers through the control plane: not nodes and not the join token (as the
 * Node authorizer refuses nodes {@code pods/log} and {@code pods/exec}); users may.
 */
final class NodeAccess {

    private NodeAccess() {
    }

    static void requireUser(String user, String verb, String subresource, String namespace, String pod) {
        if (user == null || user.startsWith("system:node:") || user.equals("system:node-bootstrap")) {
            throw ApiException.forbidden("pods \"" + pod + "\" is forbidden: User \"" + user + "\" cannot " + verb
                    + " resource \"pods/" + subresource + "\" in API group \"\" in the namespace \"" + namespace + "\"");
        }
    }
}
