package dev.coracle.server.patch;

import dev.coracle.server.registry.ResourceType;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Test fixtures: resource types and JSON written with single quotes for readability. */
final class Kube {

    static final ResourceType DEPLOYMENTS = new ResourceType("apps", "v1", "Deployment", "deployments", "deployment",
            true, List.of("deploy"), List.of("all"), List.of("status", "scale"), Deployment.class);
    static final ResourceType PODS = new ResourceType("", "v1", "Pod", "pods", "pod",
            true, List.of("po"), List.of("all"), List.of("status", "log"), Pod.class);
    static final ResourceType SERVICES = new ResourceType("", "v1", "Service", "services", "service",
            true, List.of("svc"), List.of("all"), List.of("status"), Service.class);
    static final ResourceType CONFIGMAPS = new ResourceType("", "v1", "ConfigMap", "configmaps", "configmap",
            true, List.of("cm"), List.of(), List.of(), ConfigMap.class);

    private Kube() {
    }

    /** JSON with {@code '} for {@code "} (and {@code \'} for a literal quote), parsed. */
    static JsonNode json(String singleQuoted) {
        return Json.MAPPER.readTree(dq(singleQuoted));
    }

    static ObjectNode obj(String singleQuoted) {
        return (ObjectNode) json(singleQuoted);
    }

    static byte[] body(String singleQuoted) {
        return dq(singleQuoted).getBytes(StandardCharsets.UTF_8);
    }

    static String dq(String singleQuoted) {
        return singleQuoted.replace("\\'", "\u0000").replace('\'', '"').replace('\u0000', '\'');
    }

    /** A Deployment as kube-apiserver stores it after {@code kubectl create deployment web --image=nginx:1.25 --port=80}. */
    static ObjectNode deployment() {
        return obj("""
                {'apiVersion':'apps/v1','kind':'Deployment',
                 'metadata':{'name':'web','namespace':'default','uid':'6f1c','resourceVersion':'100','generation':1,
                   'creationTimestamp':'2024-05-01T10:00:00Z','labels':{'app':'web'},
                   'annotations':{'deployment.kubernetes.io/revision':'1'}},
                 'spec':{'replicas':1,'revisionHistoryLimit':10,'progressDeadlineSeconds':600,
                   'selector':{'matchLabels':{'app':'web'}},
                   'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':'25%','maxUnavailable':'25%'}},
                   'template':{'metadata':{'labels':{'app':'web'}},
                     'spec':{'containers':[{'name':'nginx','image':'nginx:1.25','imagePullPolicy':'IfNotPresent',
                         'ports':[{'containerPort':80,'protocol':'TCP'},{'containerPort':8080,'protocol':'TCP','name':'metrics'}],
                         'resources':{},'terminationMessagePath':'/dev/termination-log','terminationMessagePolicy':'File'}],
                       'restartPolicy':'Always','dnsPolicy':'ClusterFirst','terminationGracePeriodSeconds':30,
                       'schedulerName':'default-scheduler','securityContext':{}}}},
                 'status':{'replicas':1,'readyReplicas':1,'observedGeneration':1}}""");
    }
}
