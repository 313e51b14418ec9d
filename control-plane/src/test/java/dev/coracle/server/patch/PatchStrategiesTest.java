package dev.coracle.server.patch;

import dev.coracle.server.patch.PatchStrategies.ListType;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class PatchStrategiesTest {

    private static Schema at(Class<?> root, String dottedPath) {
        Schema s = Schema.of(root);
        for (String step : dottedPath.split("\\.")) {
            s = step.equals("[]") ? s.elem() : s.child(step);
        }
        return s;
    }

    static Stream<Arguments> podSpecs() {
        return Stream.of(
                Arguments.of(Pod.class, "spec"),
                Arguments.of(Deployment.class, "spec.template.spec"),
                Arguments.of(ReplicaSet.class, "spec.template.spec"),
                Arguments.of(StatefulSet.class, "spec.template.spec"),
                Arguments.of(DaemonSet.class, "spec.template.spec"),
                Arguments.of(Job.class, "spec.template.spec"),
                Arguments.of(CronJob.class, "spec.jobTemplate.spec.template.spec"),
                Arguments.of(ReplicationController.class, "spec.template.spec"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("podSpecs")
    void podSpecIsResolvedInsideEveryWorkload(Class<?> kind, String path) {
        Schema podSpec = at(kind, path);
        assertThat(podSpec.name).isEqualTo("PodSpec");
        assertThat(podSpec.field("containers").mergeKey()).isEqualTo("name");
        assertThat(podSpec.field("containers").strategy("merge")).isTrue();
        assertThat(podSpec.child("containers").keys).containsExactly("name");
        assertThat(podSpec.child("containers").elem().child("ports").keys).containsExactly("containerPort", "protocol");
        assertThat(podSpec.child("containers").elem().field("ports").mergeKey()).isEqualTo("containerPort");
        assertThat(podSpec.child("volumes").elem().child("configMap").name).isEqualTo("ConfigMapVolumeSource");
        assertThat(podSpec.field("tolerations").mergeKey()).isNull();
        assertThat(podSpec.child("tolerations").listType).isEqualTo(ListType.ATOMIC);
    }

    @Test
    void listTypesFollowKubernetesTags() {
        assertThat(at(Pod.class, "metadata.finalizers").listType).isEqualTo(ListType.SET);
        assertThat(at(Pod.class, "metadata.ownerReferences").keys).containsExactly("uid");
        assertThat(at(Pod.class, "metadata.ownerReferences.[]").atomic).isTrue();
        assertThat(at(Deployment.class, "spec.selector").atomic).isTrue();
        assertThat(at(Pod.class, "spec.nodeSelector").atomic).isTrue();
        assertThat(at(Pod.class, "metadata.labels").atomic).isFalse();
        assertThat(at(Service.class, "spec.ports").keys).containsExactly("port", "protocol");
        assertThat(at(Pod.class, "status.conditions").keys).containsExactly("type");
        assertThat(at(Pod.class, "spec.containers.[].args").listType).isEqualTo(ListType.ATOMIC);
        assertThat(at(Job.class, "status.conditions").listType).isEqualTo(ListType.ATOMIC);
        assertThat(at(Deployment.class, "spec.template.spec.containers.[].resources.limits").kind).isEqualTo(Schema.Kind.MAP);
        assertThat(at(Deployment.class, "spec.strategy.rollingUpdate.maxSurge").kind).isEqualTo(Schema.Kind.SCALAR);
    }

    @Test
    void everyTaggedFieldExistsInTheFabric8Model() {
        Set<String> known = new HashSet<>();
        Set<String> visited = new HashSet<>();
        Deque<Schema> todo = new ArrayDeque<>();
        for (Class<?> root : List.of(Pod.class, Deployment.class, ReplicaSet.class, StatefulSet.class, DaemonSet.class, Job.class,
                CronJob.class, Service.class, Node.class, Namespace.class, PersistentVolumeClaim.class, PersistentVolume.class,
                ServiceAccount.class, ReplicationController.class, HorizontalPodAutoscaler.class, PodDisruptionBudget.class,
                CustomResourceDefinition.class)) {
            todo.add(Schema.of(root));
        }
        while (!todo.isEmpty()) {
            Schema s = todo.pop();
            if (s.kind == Schema.Kind.LIST || s.kind == Schema.Kind.MAP) {
                todo.push(s.elem());
                continue;
            }
            if (!s.isStruct() || !visited.add(s.name)) {
                continue;
            }
            for (String f : s.fieldNames()) {
                known.add(s.name + "." + f);
                todo.push(s.child(f));
            }
        }
        assertThat(known).containsAll(PatchStrategies.taggedFields());
    }
}
