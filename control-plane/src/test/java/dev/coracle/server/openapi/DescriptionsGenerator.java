package dev.coracle.server.openapi;

import tools.jackson.databind.JsonNode;

import java.io.File;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Writes {@code KubernetesDescriptions.java}: the descriptions of the Kubernetes types and fields that Coracle's
 * schemas reach, as the official Kubernetes Java client's models carry them (Swagger {@code @ApiModel} and
 * {@code @ApiModelProperty} annotations, from the Kubernetes OpenAPI spec of the client's release).
 *
 * <p>Not a test, and not run by the build: run it by hand when the descriptions should follow a newer Kubernetes.
 * It reads the client's classes by reflection only, so it compiles without them:
 * <pre>
 * mvn -q dependency:get -Dartifact=io.kubernetes:client-java-api:24.0.0 -Dtransitive=false
 * mvn -q dependency:get -Dartifact=io.swagger:swagger-annotations:1.6.16 -Dtransitive=false
 * java -cp control-plane/target/test-classes:control-plane/target/classes:$(test classpath) \
 *   dev.coracle.server.openapi.DescriptionsGenerator \
 *   control-plane/src/main/java/dev/coracle/server/openapi/KubernetesDescriptions.java \
 *   ~/.m2/repository/io/kubernetes/client-java-api/24.0.0/client-java-api-24.0.0.jar \
 *   ~/.m2/repository/io/swagger/swagger-annotations/1.6.16/swagger-annotations-1.6.16.jar \
 *   ~/.m2/repository/com/google/code/gson/gson/2.13.1/gson-2.13.1.jar
 * </pre>
 */
public final class DescriptionsGenerator {

    private static final String MODELS = "io.kubernetes.client.openapi.models.";
    private static final int ENTRIES_PER_METHOD = 800;

    /** The kinds whose schemas the descriptions cover: what Coracle serves or is likely to. */
    private static final List<Class<?>> CATALOG = List.of(
            io.fabric8.kubernetes.api.model.Pod.class, io.fabric8.kubernetes.api.model.Namespace.class,
            io.fabric8.kubernetes.api.model.Node.class, io.fabric8.kubernetes.api.model.Service.class,
            io.fabric8.kubernetes.api.model.Endpoints.class, io.fabric8.kubernetes.api.model.Event.class,
            io.fabric8.kubernetes.api.model.ConfigMap.class, io.fabric8.kubernetes.api.model.Secret.class,
            io.fabric8.kubernetes.api.model.ServiceAccount.class,
            io.fabric8.kubernetes.api.model.PersistentVolume.class,
            io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class,
            io.fabric8.kubernetes.api.model.Binding.class,
            io.fabric8.kubernetes.api.model.apps.Deployment.class,
            io.fabric8.kubernetes.api.model.apps.ReplicaSet.class,
            io.fabric8.kubernetes.api.model.apps.StatefulSet.class,
            io.fabric8.kubernetes.api.model.apps.DaemonSet.class,
            io.fabric8.kubernetes.api.model.storage.StorageClass.class,
            io.fabric8.kubernetes.api.model.coordination.v1.Lease.class,
            io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice.class,
            io.fabric8.kubernetes.api.model.events.v1.Event.class,
            io.fabric8.kubernetes.api.model.rbac.Role.class, io.fabric8.kubernetes.api.model.rbac.ClusterRole.class,
            io.fabric8.kubernetes.api.model.rbac.RoleBinding.class,
            io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding.class,
            io.fabric8.kubernetes.api.model.autoscaling.v1.Scale.class,
            io.fabric8.kubernetes.api.model.policy.v1.Eviction.class,
            io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class,
            io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview.class,
            io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview.class,
            io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview.class,
            io.fabric8.kubernetes.api.model.Status.class, io.fabric8.kubernetes.api.model.DeleteOptions.class,
            io.fabric8.kubernetes.api.model.APIResourceList.class, io.fabric8.kubernetes.api.model.ListMeta.class);

    private DescriptionsGenerator() {
    }

    public static void main(String[] args) throws Exception {
        Path output = Path.of(args[0]);
        List<URL> jars = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            jars.add(new File(args[i]).toURI().toURL());
        }
        ClassLoader client = new URLClassLoader(jars.toArray(URL[]::new), DescriptionsGenerator.class.getClassLoader());

        SchemaGenerator generator = new SchemaGenerator();
        List<String> roots = CATALOG.stream().map(generator::define).toList();
        SortedMap<String, String> descriptions = new TreeMap<>();
        int unmatched = 0;
        for (Map.Entry<String, tools.jackson.databind.node.ObjectNode> entry : generator.closure(roots).entrySet()) {
            String schema = entry.getKey();
            Class<?> model = clientModel(client, schema);
            if (model == null) {
                System.err.println("no client model for " + schema);
                unmatched++;
                continue;
            }
            String typeDescription = annotationValue(model.getAnnotations(), "io.swagger.annotations.ApiModel",
                    "description");
            if (typeDescription != null && !typeDescription.isBlank()) {
                descriptions.put(schema, typeDescription);
            }
            Map<String, String> fields = fieldDescriptions(model);
            JsonNode properties = entry.getValue().path("properties");
            for (String property : OpenApiDocumentsTest.names(properties)) {
                String description = fields.get(property);
                if (description != null && !description.isBlank()) {
                    descriptions.put(schema + "#" + property, description);
                } else {
                    System.err.println("no description for " + schema + "#" + property);
                }
            }
        }
        Files.writeString(output, source(descriptions), StandardCharsets.UTF_8);
        System.err.println(descriptions.size() + " descriptions written to " + output + "; " + unmatched
                + " schemas without a client model");
    }

    /** {@code io.k8s.api.core.v1.PodSpec} → {@code V1PodSpec}; group-prefixed first ({@code EventsV1Event}). */
    private static Class<?> clientModel(ClassLoader client, String schema) {
        String[] parts = schema.split("\\.");
        if (parts.length < 3) {
            return null;
        }
        String kind = parts[parts.length - 1];
        String version = capitalize(parts[parts.length - 2]);
        String group = capitalize(parts[parts.length - 3]);
        for (String candidate : List.of(group + version + kind, version + kind)) {
            try {
                return Class.forName(MODELS + candidate, false, client);
            } catch (ClassNotFoundException e) {
                // try the next name
            }
        }
        return null;
    }

    private static Map<String, String> fieldDescriptions(Class<?> model) throws Exception {
        Map<String, String> out = new TreeMap<>();
        for (Field field : model.getDeclaredFields()) {
            String json = annotationValue(field.getAnnotations(), "com.google.gson.annotations.SerializedName", "value");
            if (json == null) {
                continue;
            }
            String suffix = capitalize(field.getName());
            for (String getter : List.of("get" + suffix, "is" + suffix)) {
                try {
                    Method method = model.getMethod(getter);
                    String description = annotationValue(method.getAnnotations(),
                            "io.swagger.annotations.ApiModelProperty", "value");
                    if (description != null) {
                        out.put(json, description);
                    }
                    break;
                } catch (NoSuchMethodException e) {
                    // try the next getter
                }
            }
        }
        return out;
    }

    private static String annotationValue(Annotation[] annotations, String type, String attribute) throws Exception {
        for (Annotation annotation : annotations) {
            if (annotation.annotationType().getName().equals(type)) {
                return (String) annotation.annotationType().getMethod(attribute).invoke(annotation);
            }
        }
        return null;
    }

    private static String capitalize(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    private static String source(SortedMap<String, String> descriptions) {
        StringBuilder out = new StringBuilder();
        out.append("""
                package dev.coracle.server.openapi;

                import java.util.Map;

                // GENERATED by DescriptionsGenerator (src/test) from the model annotations of
                // io.kubernetes:client-java-api:24.0.0, i.e. the Kubernetes 1.32 API's own descriptions
                // (Copyright The Kubernetes Authors, Apache License 2.0). Do not edit by hand.

                /** Descriptions of Kubernetes types ({@code SCHEMA}) and fields ({@code SCHEMA#field}). */
                final class KubernetesDescriptions {

                    private KubernetesDescriptions() {
                    }

                    static void load(Map<String, String> into) {
                """);
        int methods = (descriptions.size() + ENTRIES_PER_METHOD - 1) / ENTRIES_PER_METHOD;
        for (int i = 0; i < methods; i++) {
            out.append("        load").append(i).append("(into);\n");
        }
        out.append("    }\n");
        int count = 0;
        for (Map.Entry<String, String> entry : descriptions.entrySet()) {
            if (count % ENTRIES_PER_METHOD == 0) {
                if (count > 0) {
                    out.append("    }\n");
                }
                out.append("\n    private static void load").append(count / ENTRIES_PER_METHOD)
                        .append("(Map<String, String> m) {\n");
            }
            out.append("        m.put(").append(literal(entry.getKey())).append(",\n                ")
                    .append(literal(entry.getValue())).append(");\n");
            count++;
        }
        if (count > 0) {
            out.append("    }\n");
        }
        out.append("}\n");
        return out.toString();
    }

    private static String literal(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
