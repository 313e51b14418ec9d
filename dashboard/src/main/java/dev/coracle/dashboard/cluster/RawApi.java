package dev.coracle.dashboard.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A GET on a path the typed DSL does not cover, made with the identity's own client (its token, its CA). */
public final class RawApi {

    public record Answer(int code, String body) {
        public boolean ok() {
            return code >= 200 && code < 300;
        }
    }

    private RawApi() {
    }

    public static Answer get(KubernetesClient client, String pathAndQuery) {
        String base = client.getMasterUrl().toString().replaceAll("/+$", "");
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(base + pathAndQuery)
                .header("Accept", "application/json").timeout(10, TimeUnit.SECONDS).build();
        try {
            HttpResponse<String> r = client.getHttpClient().sendAsync(request, String.class).get(15, TimeUnit.SECONDS);
            return new Answer(r.code(), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiProblem(0, "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw ApiProblem.of(e.getCause() == null ? e : e.getCause());
        }
    }
}
