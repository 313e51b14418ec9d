package dev.coracle.dashboard.web;

import dev.coracle.dashboard.cluster.ClusterCache;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/** Finding an object a page is about, or a 404 worded like the API's. */
public final class Lookups {

    private Lookups() {
    }

    public static Deployment deployment(ClusterCache cache, String namespace, String name) {
        return WorkloadsController.find(cache, namespace, name);
    }
}
