package dev.coracle.dashboard.logs;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpRequest;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * What {@code kubectl logs} takes — container, {@code -f}, {@code --tail}, {@code --timestamps}, {@code -p} — as a
 * GET of the pods/log subresource (the server proxies it to the node's agent). Made through the identity's own
 * HTTP client rather than Fabric8's watchLog, which hands an error Status over as if it were log text.
 */
public record LogRequest(String namespace, String pod, String container, Integer tailLines, boolean timestamps, boolean previous) {

    public String path(boolean follow) {
        StringBuilder q = new StringBuilder();
        if (container != null && !container.isEmpty()) {
            q.append("&container=").append(enc(container));
        }
        if (follow) {
            q.append("&follow=true");
        }
        if (tailLines != null && tailLines >= 0) {
            q.append("&tailLines=").append(tailLines);
        }
        if (timestamps) {
            q.append("&timestamps=true");
        }
        if (previous) {
            q.append("&previous=true");
        }
        return "/api/v1/namespaces/" + enc(namespace) + "/pods/" + enc(pod) + "/log" + (q.length() == 0 ? "" : "?" + q.substring(1));
    }

    HttpRequest request(KubernetesClient client, boolean follow) {
        String base = client.getMasterUrl().toString().replaceAll("/+$", "");
        HttpRequest.Builder b = client.getHttpClient().newHttpRequestBuilder().uri(base + path(follow));
        if (follow) {
            b.forStreaming();
        }
        return b.build();
    }

    public String fileName() {
        return pod + (container == null || container.isEmpty() ? "" : "-" + container) + (previous ? "-previous" : "") + ".log";
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
