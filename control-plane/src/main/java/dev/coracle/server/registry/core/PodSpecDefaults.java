package dev.coracle.server.registry.core;

import dev.coracle.server.registry.Quantities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Lifecycle;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The core/v1 defaulters of a pod spec (Kubernetes' {@code SetDefaults_PodSpec}, {@code SetDefaults_Container},
 * probes, volumes, ports), shared by Pod, Deployment and ReplicaSet; {@link #defaultPod} adds the
 * Pod-only ones ({@code SetDefaults_Pod}).
 */
public final class PodSpecDefaults {

    public static final String DEFAULT_SCHEDULER_NAME = "default-scheduler";
    public static final long DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
    public static final String TERMINATION_MESSAGE_PATH = "/dev/termination-log";
    /** 0644, the default mode of secret, configMap, downwardAPI and projected volumes. */
    public static final int DEFAULT_VOLUME_MODE = 420;

    private static final Pattern REGISTRY_HOST = Pattern.compile("[A-Za-z0-9.-]+(:[0-9]+)?");
    private static final Pattern PATH_COMPONENT = Pattern.compile("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$");
    private static final Pattern TAG = Pattern.compile("^[\\w][\\w.-]{0,127}$");
    private static final Pattern DIGEST = Pattern.compile("^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$");

    private PodSpecDefaults() {
    }

    /** {@code SetDefaults_Pod}: requests default to limits, enableServiceLinks, host ports with hostNetwork; then the spec defaults. */
    public static void defaultPod(Pod pod) {
        PodSpec spec = pod.getSpec();
        if (spec == null) {
            spec = new PodSpec();
            pod.setSpec(spec);
        }
        for (Container c : spec.getContainers()) {
            defaultRequestsFromLimits(c);
        }
        for (Container c : spec.getInitContainers()) {
            defaultRequestsFromLimits(c);
        }
        if (spec.getEnableServiceLinks() == null) {
            spec.setEnableServiceLinks(true);
        }
        if (Boolean.TRUE.equals(spec.getHostNetwork())) {
            defaultHostNetworkPorts(spec.getContainers());
            defaultHostNetworkPorts(spec.getInitContainers());
        }
        defaultPodSpec(spec);
    }

    /** The defaults of a pod template (no Pod-only defaults, as for Deployments and ReplicaSets). */
    public static void defaultTemplate(PodTemplateSpec template) {
        if (template == null) {
            return;
        }
        if (template.getSpec() == null) {
            template.setSpec(new PodSpec());
        }
        defaultPodSpec(template.getSpec());
    }

    /** {@code SetDefaults_PodSpec} and the defaults of everything it contains. */
    public static void defaultPodSpec(PodSpec spec) {
        if (spec.getDnsPolicy() == null || spec.getDnsPolicy().isEmpty()) {
            spec.setDnsPolicy("ClusterFirst");
        }
        if (spec.getRestartPolicy() == null || spec.getRestartPolicy().isEmpty()) {
            spec.setRestartPolicy("Always");
        }
        if (spec.getSecurityContext() == null) {
            spec.setSecurityContext(new PodSecurityContext());
        }
        if (spec.getTerminationGracePeriodSeconds() == null) {
            spec.setTerminationGracePeriodSeconds(DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS);
        }
        if (spec.getSchedulerName() == null || spec.getSchedulerName().isEmpty()) {
            spec.setSchedulerName(DEFAULT_SCHEDULER_NAME);
        }
        for (Volume v : spec.getVolumes()) {
            defaultVolume(v);
        }
        for (Container c : spec.getInitContainers()) {
            defaultContainer(c);
        }
        for (Container c : spec.getContainers()) {
            defaultContainer(c);
        }
        for (EphemeralContainer c : spec.getEphemeralContainers()) {
            defaultEphemeralContainer(c);
        }
    }

    /** {@code SetDefaults_Container} and its ports, env, resources, probes and lifecycle handlers. */
    public static void defaultContainer(Container c) {
        if (c.getImagePullPolicy() == null || c.getImagePullPolicy().isEmpty()) {
            c.setImagePullPolicy(defaultPullPolicy(c.getImage()));
        }
        if (c.getTerminationMessagePath() == null || c.getTerminationMessagePath().isEmpty()) {
            c.setTerminationMessagePath(TERMINATION_MESSAGE_PATH);
        }
        if (c.getTerminationMessagePolicy() == null || c.getTerminationMessagePolicy().isEmpty()) {
            c.setTerminationMessagePolicy("File");
        }
        defaultPorts(c.getPorts());
        defaultEnv(c.getEnv());
        defaultResources(c.getResources());
        defaultProbe(c.getLivenessProbe());
        defaultProbe(c.getReadinessProbe());
        defaultProbe(c.getStartupProbe());
        defaultLifecycle(c.getLifecycle());
    }

    private static void defaultEphemeralContainer(EphemeralContainer c) {
        if (c.getImagePullPolicy() == null || c.getImagePullPolicy().isEmpty()) {
            c.setImagePullPolicy(defaultPullPolicy(c.getImage()));
        }
        if (c.getTerminationMessagePath() == null || c.getTerminationMessagePath().isEmpty()) {
            c.setTerminationMessagePath(TERMINATION_MESSAGE_PATH);
        }
        if (c.getTerminationMessagePolicy() == null || c.getTerminationMessagePolicy().isEmpty()) {
            c.setTerminationMessagePolicy("File");
        }
        defaultPorts(c.getPorts());
        defaultEnv(c.getEnv());
        defaultResources(c.getResources());
        defaultProbe(c.getLivenessProbe());
        defaultProbe(c.getReadinessProbe());
        defaultProbe(c.getStartupProbe());
        defaultLifecycle(c.getLifecycle());
    }

    /**
     * {@code Always} when the image has the {@code latest} tag or no tag and no digest, otherwise
     * {@code IfNotPresent} (also for a reference that does not parse).
     */
    public static String defaultPullPolicy(String image) {
        String tag = imageTag(image);
        return "latest".equals(tag) ? "Always" : "IfNotPresent";
    }

    /** The tag {@code ParseImageName} yields: the explicit tag, {@code latest} when neither tag nor digest, "" when invalid. */
    static String imageTag(String image) {
        if (image == null || image.isEmpty()) {
            return "";
        }
        String rest = image;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST.matcher(digest).matches()) {
                return "";
            }
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                return "";
            }
        }
        if (rest.isEmpty()) {
            return "";
        }
        String[] components = rest.split("/", -1);
        int start = 0;
        if (components.length > 1 && (components[0].contains(".") || components[0].contains(":") || components[0].equals("localhost")
                || !components[0].equals(components[0].toLowerCase()))) {
            if (!REGISTRY_HOST.matcher(components[0]).matches()) {
                return "";
            }
            start = 1;
        }
        for (int i = start; i < components.length; i++) {
            if (!PATH_COMPONENT.matcher(components[i]).matches()) {
                return "";
            }
        }
        if (tag == null && digest == null) {
            return "latest";
        }
        return tag == null ? "" : tag;
    }

    private static void defaultRequestsFromLimits(Container c) {
        ResourceRequirements r = c.getResources();
        if (r == null || r.getLimits() == null || r.getLimits().isEmpty()) {
            return;
        }
        Map<String, Quantity> requests = r.getRequests() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(r.getRequests());
        r.getLimits().forEach((k, v) -> requests.putIfAbsent(k, new Quantity(Quantities.text(v))));
        r.setRequests(requests);
    }

    private static void defaultHostNetworkPorts(List<Container> containers) {
        for (Container c : containers) {
            for (ContainerPort p : c.getPorts()) {
                if (p.getHostPort() == null || p.getHostPort() == 0) {
                    p.setHostPort(p.getContainerPort());
                }
            }
        }
    }

    private static void defaultPorts(List<ContainerPort> ports) {
        if (ports == null) {
            return;
        }
        for (ContainerPort p : ports) {
            if (p.getProtocol() == null || p.getProtocol().isEmpty()) {
                p.setProtocol("TCP");
            }
        }
    }

    private static void defaultEnv(List<EnvVar> env) {
        if (env == null) {
            return;
        }
        for (EnvVar e : env) {
            if (e.getValueFrom() != null) {
                defaultFieldRef(e.getValueFrom().getFieldRef());
            }
        }
    }

    private static void defaultFieldRef(ObjectFieldSelector ref) {
        if (ref != null && (ref.getApiVersion() == null || ref.getApiVersion().isEmpty())) {
            ref.setApiVersion("v1");
        }
    }

    private static void defaultResources(ResourceRequirements r) {
        if (r == null) {
            return;
        }
        if (r.getLimits() != null && !r.getLimits().isEmpty()) {
            Map<String, Quantity> limits = new LinkedHashMap<>();
            r.getLimits().forEach((k, v) -> limits.put(k, Quantities.roundUpToMilli(v)));
            r.setLimits(limits);
        }
        if (r.getRequests() != null && !r.getRequests().isEmpty()) {
            Map<String, Quantity> requests = new LinkedHashMap<>();
            r.getRequests().forEach((k, v) -> requests.put(k, Quantities.roundUpToMilli(v)));
            r.setRequests(requests);
        }
    }

    /** {@code SetDefaults_Probe}: timeout 1s, period 10s, success 1, failure 3; httpGet path {@code /} and scheme HTTP. */
    public static void defaultProbe(Probe p) {
        if (p == null) {
            return;
        }
        if (p.getTimeoutSeconds() == null || p.getTimeoutSeconds() == 0) {
            p.setTimeoutSeconds(1);
        }
        if (p.getPeriodSeconds() == null || p.getPeriodSeconds() == 0) {
            p.setPeriodSeconds(10);
        }
        if (p.getSuccessThreshold() == null || p.getSuccessThreshold() == 0) {
            p.setSuccessThreshold(1);
        }
        if (p.getFailureThreshold() == null || p.getFailureThreshold() == 0) {
            p.setFailureThreshold(3);
        }
        defaultHttpGet(p.getHttpGet());
    }

    private static void defaultLifecycle(Lifecycle l) {
        if (l == null) {
            return;
        }
        for (LifecycleHandler h : new LifecycleHandler[] {l.getPostStart(), l.getPreStop()}) {
            if (h != null) {
                defaultHttpGet(h.getHttpGet());
            }
        }
    }

    private static void defaultHttpGet(HTTPGetAction a) {
        if (a == null) {
            return;
        }
        if (a.getPath() == null || a.getPath().isEmpty()) {
            a.setPath("/");
        }
        if (a.getScheme() == null || a.getScheme().isEmpty()) {
            a.setScheme("HTTP");
        }
    }

    /** {@code SetDefaults_Volume} (an empty source is an emptyDir) and the volume sources' defaults. */
    public static void defaultVolume(Volume v) {
        if (hasNoSource(v)) {
            v.setEmptyDir(new EmptyDirVolumeSource());
        }
        if (v.getHostPath() != null && v.getHostPath().getType() == null) {
            v.getHostPath().setType("");
        }
        if (v.getSecret() != null && v.getSecret().getDefaultMode() == null) {
            v.getSecret().setDefaultMode(DEFAULT_VOLUME_MODE);
        }
        if (v.getConfigMap() != null && v.getConfigMap().getDefaultMode() == null) {
            v.getConfigMap().setDefaultMode(DEFAULT_VOLUME_MODE);
        }
        if (v.getDownwardAPI() != null) {
            if (v.getDownwardAPI().getDefaultMode() == null) {
                v.getDownwardAPI().setDefaultMode(DEFAULT_VOLUME_MODE);
            }
            for (DownwardAPIVolumeFile f : v.getDownwardAPI().getItems()) {
                defaultFieldRef(f.getFieldRef());
            }
        }
        if (v.getProjected() != null) {
            if (v.getProjected().getDefaultMode() == null) {
                v.getProjected().setDefaultMode(DEFAULT_VOLUME_MODE);
            }
            for (VolumeProjection p : v.getProjected().getSources()) {
                if (p.getServiceAccountToken() != null && p.getServiceAccountToken().getExpirationSeconds() == null) {
                    p.getServiceAccountToken().setExpirationSeconds(3600L);
                }
                if (p.getDownwardAPI() != null) {
                    for (DownwardAPIVolumeFile f : p.getDownwardAPI().getItems()) {
                        defaultFieldRef(f.getFieldRef());
                    }
                }
            }
        }
        if (v.getEphemeral() != null && v.getEphemeral().getVolumeClaimTemplate() != null
                && v.getEphemeral().getVolumeClaimTemplate().getSpec() != null
                && v.getEphemeral().getVolumeClaimTemplate().getSpec().getVolumeMode() == null) {
            v.getEphemeral().getVolumeClaimTemplate().getSpec().setVolumeMode("Filesystem");
        }
    }

    /** The number of volume sources set on a volume. */
    static int sourceCount(Volume v) {
        Object[] sources = {v.getEmptyDir(), v.getHostPath(), v.getGitRepo(), v.getGcePersistentDisk(), v.getAwsElasticBlockStore(),
            v.getSecret(), v.getNfs(), v.getIscsi(), v.getGlusterfs(), v.getFlocker(), v.getPersistentVolumeClaim(), v.getRbd(),
            v.getCinder(), v.getCephfs(), v.getQuobyte(), v.getDownwardAPI(), v.getFc(), v.getFlexVolume(), v.getConfigMap(),
            v.getAzureFile(), v.getVsphereVolume(), v.getPhotonPersistentDisk(), v.getPortworxVolume(), v.getAzureDisk(),
            v.getStorageos(), v.getProjected(), v.getScaleIO(), v.getCsi(), v.getEphemeral(), v.getImage()};
        int n = 0;
        for (Object s : sources) {
            if (s != null) {
                n++;
            }
        }
        return n;
    }

    private static boolean hasNoSource(Volume v) {
        return sourceCount(v) == 0;
    }
}
