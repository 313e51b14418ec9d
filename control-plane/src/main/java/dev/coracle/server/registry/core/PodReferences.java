package dev.coracle.server.registry.core;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The Secrets, ConfigMaps and PersistentVolumeClaims a pod refers to, as the Node authorizer's graph has them as
 * edges to the pod: volumes (projected ones too), containers' env and envFrom, image pull secrets.
 */
public final class PodReferences {

    private PodReferences() {
    }

    /** The names of the objects of {@code resource} (secrets, configmaps, persistentvolumeclaims) the pod refers to. */
    public static Set<String> of(PodSpec spec, String resource) {
        Set<String> names = new HashSet<>();
        if (spec == null) {
            return names;
        }
        for (Volume volume : nonNull(spec.getVolumes())) {
            volumeReferences(volume, resource, names);
        }
        List<EnvVar> env = new ArrayList<>();
        List<EnvFromSource> envFrom = new ArrayList<>();
        for (Container c : nonNull(spec.getContainers())) {
            env.addAll(nonNull(c.getEnv()));
            envFrom.addAll(nonNull(c.getEnvFrom()));
        }
        for (Container c : nonNull(spec.getInitContainers())) {
            env.addAll(nonNull(c.getEnv()));
            envFrom.addAll(nonNull(c.getEnvFrom()));
        }
        for (EphemeralContainer c : nonNull(spec.getEphemeralContainers())) {
            env.addAll(nonNull(c.getEnv()));
            envFrom.addAll(nonNull(c.getEnvFrom()));
        }
        for (EnvVar var : env) {
            var from = var.getValueFrom();
            if (from != null && resource.equals("secrets") && from.getSecretKeyRef() != null) {
                names.add(from.getSecretKeyRef().getName());
            } else if (from != null && resource.equals("configmaps") && from.getConfigMapKeyRef() != null) {
                names.add(from.getConfigMapKeyRef().getName());
            }
        }
        for (EnvFromSource source : envFrom) {
            if (resource.equals("secrets") && source.getSecretRef() != null) {
                names.add(source.getSecretRef().getName());
            } else if (resource.equals("configmaps") && source.getConfigMapRef() != null) {
                names.add(source.getConfigMapRef().getName());
            }
        }
        if (resource.equals("secrets")) {
            nonNull(spec.getImagePullSecrets()).stream().map(LocalObjectReference::getName).forEach(names::add);
        }
        names.remove(null);
        return names;
    }

    private static void volumeReferences(Volume volume, String resource, Set<String> names) {
        switch (resource) {
            case "secrets" -> {
                if (volume.getSecret() != null) {
                    names.add(volume.getSecret().getSecretName());
                }
            }
            case "configmaps" -> {
                if (volume.getConfigMap() != null) {
                    names.add(volume.getConfigMap().getName());
                }
            }
            case "persistentvolumeclaims" -> {
                if (volume.getPersistentVolumeClaim() != null) {
                    names.add(volume.getPersistentVolumeClaim().getClaimName());
                }
            }
            default -> {
            }
        }
        if (volume.getProjected() != null) {
            for (VolumeProjection source : nonNull(volume.getProjected().getSources())) {
                if (resource.equals("secrets") && source.getSecret() != null) {
                    names.add(source.getSecret().getName());
                } else if (resource.equals("configmaps") && source.getConfigMap() != null) {
                    names.add(source.getConfigMap().getName());
                }
            }
        }
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }
}
