package dev.coracle.server.api.protobuf;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.coracle.server.api.ApiException;
import io.kubernetes.client.proto.IntStr.IntOrString;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Meta.LabelSelector;
import io.kubernetes.client.proto.Meta.ObjectMeta;
import io.kubernetes.client.proto.Resource.Quantity;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Apps;
import io.kubernetes.client.proto.V1Autoscaling;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The bodies here are built the way kubectl (Go's gogo-protobuf marshaller) builds them: every non-pointer
 * field written, empty or not; pointer fields only when set; then wrapped in a runtime.Unknown behind the magic.
 */
class ProtobufDecoderTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    // ---- objects built like kubectl builds them ----

    @Test
    void namespaceDecodesToTheJsonKubectlWouldSend() {
        V1.Namespace namespace = V1.Namespace.newBuilder()
                .setMetadata(goMeta("demo", ""))
                .setSpec(V1.NamespaceSpec.newBuilder())
                .setStatus(V1.NamespaceStatus.newBuilder().setPhase(""))
                .build();

        assertJson(ProtobufDecoder.decode(body("v1", "Namespace", namespace)), """
                {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"demo","creationTimestamp":null},
                 "spec":{},"status":{}}""");
    }

    @Test
    void deploymentKeepsReplicasLabelsSelectorTemplateAndEmptyStrategyAndStatus() {
        V1Apps.Deployment deployment = V1Apps.Deployment.newBuilder()
                .setMetadata(goMeta("web", "default").toBuilder().putLabels("app", "web"))
                .setSpec(V1Apps.DeploymentSpec.newBuilder()
                        .setReplicas(2)
                        .setSelector(LabelSelector.newBuilder().putMatchLabels("app", "web"))
                        .setTemplate(V1.PodTemplateSpec.newBuilder()
                                .setMetadata(goMeta("", "").toBuilder().putLabels("app", "web"))
                                .setSpec(goPodSpec(goContainer("nginx", "nginx").build())))
                        .setStrategy(V1Apps.DeploymentStrategy.newBuilder().setType(""))
                        .setMinReadySeconds(0)
                        .setPaused(false))
                .setStatus(V1Apps.DeploymentStatus.newBuilder().setObservedGeneration(0).setReplicas(0)
                        .setUpdatedReplicas(0).setReadyReplicas(0).setAvailableReplicas(0).setUnavailableReplicas(0))
                .build();

        assertJson(ProtobufDecoder.decode(body("apps/v1", "Deployment", deployment)), """
                {"apiVersion":"apps/v1","kind":"Deployment",
                 "metadata":{"name":"web","namespace":"default","creationTimestamp":null,"labels":{"app":"web"}},
                 "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
                         "template":{"metadata":{"creationTimestamp":null,"labels":{"app":"web"}},
                                     "spec":{"containers":[{"name":"nginx","image":"nginx","resources":{}}]}},
                         "strategy":{}},
                 "status":{}}""");
    }

    @Test
    void deploymentWithZeroReplicasKeepsTheExplicitZero() {
        V1Apps.Deployment deployment = V1Apps.Deployment.newBuilder()
                .setMetadata(goMeta("web", "default"))
                .setSpec(V1Apps.DeploymentSpec.newBuilder().setReplicas(0).setRevisionHistoryLimit(0).setMinReadySeconds(0))
                .build();

        JsonNode spec = ProtobufDecoder.decode(body("apps/v1", "Deployment", deployment)).get("spec");

        assertThat(spec.get("replicas").asInt()).isZero();
        assertThat(spec.get("revisionHistoryLimit").asInt()).isZero();
        assertThat(spec.has("minReadySeconds")).as("a plain int32 zero is Go's unset").isFalse();
    }

    @Test
    void serviceTargetPortIsANumberOrANameByItsType() {
        V1.Service service = V1.Service.newBuilder()
                .setMetadata(goMeta("svc", "default").toBuilder().putLabels("app", "svc"))
                .setSpec(V1.ServiceSpec.newBuilder()
                        .addPorts(goServicePort("80-8080", 80, IntOrString.newBuilder().setType(0).setIntVal(8080).setStrVal("")))
                        .addPorts(goServicePort("443-https", 443, IntOrString.newBuilder().setType(1).setIntVal(0).setStrVal("https")))
                        .putSelector("app", "svc")
                        .setClusterIP("").setType("ClusterIP").setSessionAffinity("").setLoadBalancerIP("")
                        .setExternalName("").setExternalTrafficPolicy("").setHealthCheckNodePort(0)
                        .setPublishNotReadyAddresses(false))
                .setStatus(V1.ServiceStatus.newBuilder().setLoadBalancer(V1.LoadBalancerStatus.newBuilder()))
                .build();

        assertJson(ProtobufDecoder.decode(body("v1", "Service", service)), """
                {"apiVersion":"v1","kind":"Service",
                 "metadata":{"name":"svc","namespace":"default","creationTimestamp":null,"labels":{"app":"svc"}},
                 "spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080},
                                  {"name":"443-https","protocol":"TCP","port":443,"targetPort":"https"}],
                         "selector":{"app":"svc"},"type":"ClusterIP"},
                 "status":{"loadBalancer":{}}}""");
    }

    @Test
    void secretDataIsBase64AsInJson() {
        V1.Secret secret = V1.Secret.newBuilder()
                .setMetadata(goMeta("s", "default"))
                .putData("blob", ByteString.copyFrom(new byte[]{0, (byte) 0xff, 1, 'b', 'i', 'n'}))
                .putData("k", ByteString.copyFromUtf8("v"))
                .putStringData("plain", "text")
                .setType("")
                .build();

        assertJson(ProtobufDecoder.decode(body("v1", "Secret", secret)), """
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"default","creationTimestamp":null},
                 "data":{"blob":"AP8BYmlu","k":"dg=="},"stringData":{"plain":"text"}}""");
    }

    @Test
    void immutableFalseIsKeptBecauseItIsAPointer() {
        V1.ConfigMap configMap = V1.ConfigMap.newBuilder().setMetadata(goMeta("x", "default")).setImmutable(false).build();

        assertThat(ProtobufDecoder.decode(body("v1", "ConfigMap", configMap)).get("immutable").isBoolean()).isTrue();
    }

    @Test
    void configMapHasDataAndBase64BinaryData() {
        V1.ConfigMap configMap = V1.ConfigMap.newBuilder()
                .setMetadata(goMeta("x", "default"))
                .putData("a", "b")
                .putData("empty", "")
                .putBinaryData("raw", ByteString.copyFrom(new byte[]{(byte) 0xde, (byte) 0xad}))
                .build();

        assertJson(ProtobufDecoder.decode(body("v1", "ConfigMap", configMap)), """
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"default","creationTimestamp":null},
                 "data":{"a":"b","empty":""},"binaryData":{"raw":"3q0="}}""");
    }

    @Test
    void podHasQuantitiesAsStringsAndTimestampsAsRfc3339() {
        V1.Container container = goContainer("app", "nginx:1.27")
                .setResources(V1.ResourceRequirements.newBuilder()
                        .putLimits("cpu", Quantity.newBuilder().setString("500m").build())
                        .putLimits("memory", Quantity.newBuilder().setString("128Mi").build())
                        .putRequests("cpu", Quantity.newBuilder().setString("250m").build()))
                .addPorts(V1.ContainerPort.newBuilder().setName("").setHostPort(0).setContainerPort(80)
                        .setProtocol("TCP").setHostIP(""))
                .addEnv(V1.EnvVar.newBuilder().setName("MODE").setValue("prod"))
                .build();
        V1.Pod pod = V1.Pod.newBuilder()
                .setMetadata(goMeta("p", "default").toBuilder()
                        .setCreationTimestamp(Meta.Time.newBuilder().setSeconds(1704164645L).setNanos(987_654_321)))
                .setSpec(goPodSpec(container).toBuilder().setTerminationGracePeriodSeconds(0).setRestartPolicy("Never"))
                .build();

        ObjectNode json = ProtobufDecoder.decode(body("v1", "Pod", pod));

        assertJson(json, """
                {"apiVersion":"v1","kind":"Pod",
                 "metadata":{"name":"p","namespace":"default","creationTimestamp":"2024-01-02T03:04:05Z"},
                 "spec":{"containers":[{"name":"app","image":"nginx:1.27",
                                        "ports":[{"containerPort":80,"protocol":"TCP"}],
                                        "env":[{"name":"MODE","value":"prod"}],
                                        "resources":{"limits":{"cpu":"500m","memory":"128Mi"},"requests":{"cpu":"250m"}}}],
                         "restartPolicy":"Never","terminationGracePeriodSeconds":0}}""");
    }

    @Test
    void leaseTimesAreMicroTimesAndZeroTransitionsAreKept() {
        byte[] leaseSpec = concat(
                stringField(1, "node-a"), varintField(2, 40),
                messageField(3, timestamp(1704164645L, 123_456_789)), messageField(4, timestamp(1704164650L, 0)),
                varintField(5, 0));
        byte[] lease = concat(messageField(1, goMeta("node-a", "kube-node-lease").toByteArray()), messageField(2, leaseSpec));

        assertJson(ProtobufDecoder.decode(wrap("coordination.k8s.io/v1", "Lease", lease)), """
                {"apiVersion":"coordination.k8s.io/v1","kind":"Lease",
                 "metadata":{"name":"node-a","namespace":"kube-node-lease","creationTimestamp":null},
                 "spec":{"holderIdentity":"node-a","leaseDurationSeconds":40,
                         "acquireTime":"2024-01-02T03:04:05.123456Z","renewTime":"2024-01-02T03:04:10.000000Z",
                         "leaseTransitions":0}}""");
    }

    @Test
    void endpointSliceKeepsAFalseConditionAndAnEmptyPortName() {
        byte[] endpoint = concat(stringField(1, "10.42.0.5"), messageField(2, concat(varintField(1, 0), varintField(2, 1))),
                stringField(6, "node-a"), messageField(5, concat(stringField(1, "zone"), stringField(2, "a"))));
        byte[] port = concat(stringField(1, ""), stringField(2, "TCP"), varintField(3, 8080));
        byte[] slice = concat(messageField(1, goMeta("web-abcde", "default").toByteArray()), messageField(2, endpoint),
                messageField(3, port), stringField(4, "IPv4"));

        assertJson(ProtobufDecoder.decode(wrap("discovery.k8s.io/v1", "EndpointSlice", slice)), """
                {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
                 "metadata":{"name":"web-abcde","namespace":"default","creationTimestamp":null},
                 "endpoints":[{"addresses":["10.42.0.5"],"conditions":{"ready":false,"serving":true},
                               "deprecatedTopology":{"zone":"a"},"nodeName":"node-a"}],
                 "ports":[{"name":"","protocol":"TCP","port":8080}],
                 "addressType":"IPv4"}""");
    }

    @Test
    void eventsV1EventHasRegardingAndMicroTimeEventTime() {
        V1.ObjectReference regarding = V1.ObjectReference.newBuilder().setKind("Pod").setNamespace("default")
                .setName("p").setUid("").setApiVersion("v1").setResourceVersion("").setFieldPath("").build();
        byte[] event = concat(
                messageField(1, goMeta("p.1", "default").toByteArray()),
                messageField(2, timestamp(1704164645L, 5_000)),
                stringField(4, "coracle/scheduler"), stringField(5, "coracle-0"), stringField(6, "Binding"),
                stringField(7, "Scheduled"), messageField(8, regarding.toByteArray()),
                stringField(10, "Successfully assigned default/p to node-a"), stringField(11, "Normal"),
                messageField(13, new byte[0]), messageField(14, new byte[0]), varintField(15, 0));

        assertJson(ProtobufDecoder.decode(wrap("events.k8s.io/v1", "Event", event)), """
                {"apiVersion":"events.k8s.io/v1","kind":"Event",
                 "metadata":{"name":"p.1","namespace":"default","creationTimestamp":null},
                 "eventTime":"2024-01-02T03:04:05.000005Z","reportingController":"coracle/scheduler",
                 "reportingInstance":"coracle-0","action":"Binding","reason":"Scheduled",
                 "regarding":{"kind":"Pod","namespace":"default","name":"p","apiVersion":"v1"},
                 "note":"Successfully assigned default/p to node-a","type":"Normal",
                 "deprecatedFirstTimestamp":null,"deprecatedLastTimestamp":null}""");
    }

    @Test
    void deleteOptionsSentUnderAGroupVersionKeepAZeroGracePeriod() {
        Meta.DeleteOptions options = Meta.DeleteOptions.newBuilder()
                .setGracePeriodSeconds(0).setPropagationPolicy("Foreground").build();

        assertJson(ProtobufDecoder.decode(body("apps/v1", "DeleteOptions", options)), """
                {"apiVersion":"apps/v1","kind":"DeleteOptions","gracePeriodSeconds":0,"propagationPolicy":"Foreground"}""");
    }

    @Test
    void persistentVolumeClaimKeepsAnEmptyStorageClassName() {
        V1.PersistentVolumeClaim claim = V1.PersistentVolumeClaim.newBuilder()
                .setMetadata(goMeta("data", "default"))
                .setSpec(V1.PersistentVolumeClaimSpec.newBuilder()
                        .addAccessModes("ReadWriteOnce")
                        .setResources(V1.VolumeResourceRequirements.newBuilder()
                                .putRequests("storage", Quantity.newBuilder().setString("1Gi").build()))
                        .setVolumeName("")
                        .setStorageClassName(""))
                .build();

        JsonNode spec = ProtobufDecoder.decode(body("v1", "PersistentVolumeClaim", claim)).get("spec");

        assertThat(spec.get("storageClassName").asString()).isEmpty();
        assertThat(spec.has("volumeName")).isFalse();
        assertThat(spec.at("/resources/requests/storage").asString()).isEqualTo("1Gi");
    }

    @Test
    void scaleToZeroKeepsReplicas() {
        V1Autoscaling.Scale scale = V1Autoscaling.Scale.newBuilder()
                .setMetadata(goMeta("web", "default"))
                .setSpec(V1Autoscaling.ScaleSpec.newBuilder().setReplicas(0))
                .build();

        assertThat(ProtobufDecoder.decode(body("autoscaling/v1", "Scale", scale)).at("/spec/replicas").isInt()).isTrue();
    }

    @Test
    void fieldsAddedAfterTheJarsKubernetesVersionAreDecoded() {
        // PodSpec.resources (40) and PodSecurityContext.seLinuxChangePolicy (13) are Kubernetes 1.32 fields.
        byte[] resources = messageField(1, concat(stringField(1, "cpu"), messageField(2, stringField(1, "1"))));
        byte[] podSpec = concat(
                messageField(2, goContainer("app", "busybox").build().toByteArray()),
                messageField(14, stringField(13, "Recursive")),
                messageField(40, resources));
        byte[] pod = concat(messageField(1, goMeta("p", "default").toByteArray()), messageField(2, podSpec));

        JsonNode spec = ProtobufDecoder.decode(wrap("v1", "Pod", pod)).get("spec");

        assertThat(spec.at("/securityContext/seLinuxChangePolicy").asString()).isEqualTo("Recursive");
        assertThat(spec.at("/resources/limits/cpu").asString()).isEqualTo("1");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "v1, Namespace", "v1, Node", "v1, Pod", "v1, Service", "v1, Endpoints", "v1, Event", "v1, ConfigMap",
            "v1, Secret", "v1, ServiceAccount", "v1, PersistentVolume", "v1, PersistentVolumeClaim", "v1, Binding",
            "apps/v1, Deployment", "apps/v1, ReplicaSet", "autoscaling/v1, Scale", "storage.k8s.io/v1, StorageClass",
            "coordination.k8s.io/v1, Lease", "events.k8s.io/v1, Event", "discovery.k8s.io/v1, EndpointSlice", "batch/v1, Job",
            "meta.k8s.io/v1, DeleteOptions"})
    void everyServedKindIsKnown(String apiVersion, String kind) {
        byte[] object = messageField(1, goMeta("x", "").toByteArray());

        ObjectNode json = ProtobufDecoder.decode(wrap(apiVersion, kind, kind.equals("DeleteOptions") ? new byte[0] : object));

        assertThat(json.get("apiVersion").asString()).isEqualTo(apiVersion);
        assertThat(json.get("kind").asString()).isEqualTo(kind);
        if (!kind.equals("DeleteOptions")) {
            assertThat(json.at("/metadata/name").asString()).isEqualTo("x");
        }
    }

    @Test
    void everyPointerFieldNamesAFieldOfTheSchema() {
        KubernetesProtoSchema schema = KubernetesProtoSchema.get();
        for (String entry : PointerFields.all()) {
            int dot = entry.lastIndexOf('.');
            String message = entry.substring(0, dot);
            String field = entry.substring(dot + 1);
            assertThat(schema.messageNamed(message).map(m -> m.findFieldByName(field)))
                    .as(entry).isPresent().get().matches(f -> !f.isRepeated(), "is a singular field");
        }
    }

    @Test
    void durationsAreWrittenAsGoWritesThem() {
        assertThat(ProtoJson.goDuration(0)).isEqualTo("0s");
        assertThat(ProtoJson.goDuration(1_500)).isEqualTo("1.5µs");
        assertThat(ProtoJson.goDuration(150_000_000)).isEqualTo("150ms");
        assertThat(ProtoJson.goDuration(3_723_500_000_000L)).isEqualTo("1h2m3.5s");
        assertThat(ProtoJson.goDuration(3_600_000_000_000L)).isEqualTo("1h0m0s");
        assertThat(ProtoJson.goDuration(-90_000_000_000L)).isEqualTo("-1m30s");
    }

    // ---- bodies recorded from kubectl v1.32 (`kubectl create ...` against a recording server) ----

    @ParameterizedTest(name = "kubectl {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "create namespace demo"
                    + "|azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhwKFAoEZGVtbxIAGgAiACoAMgA4AEIAEgAaAgoAGgAiAA=="
                    + "|{'kind':'Namespace','apiVersion':'v1','metadata':{'name':'demo','creationTimestamp':null},'spec':{},'status':{}}",
            "create configmap x --from-literal=a=b"
                    + "|azhzAAoPCgJ2MRIJQ29uZmlnTWFwEiIKGAoBeBIAGgdkZWZhdWx0IgAqADIAOABCABIGCgFhEgFiGgAiAA=="
                    + "|{'kind':'ConfigMap','apiVersion':'v1','metadata':{'name':'x','namespace':'default','creationTimestamp':null},'data':{'a':'b'}}",
            "create secret generic s --from-literal=k=v --from-file=blob"
                    + "|azhzAAoMCgJ2MRIGU2VjcmV0EjQKGAoBcxIAGgdkZWZhdWx0IgAqADIAOABCABIOCgRibG9iEgYA/wFiaW4SBgoBaxIBdhoAGgAiAA=="
                    + "|{'kind':'Secret','apiVersion':'v1','metadata':{'name':'s','namespace':'default','creationTimestamp':null},'data':{'blob':'AP8BYmlu','k':'dg=='}}",
            "create service clusterip svc --tcp=80:8080 --tcp=443:https"
                    + "|azhzAAoNCgJ2MRIHU2VydmljZRKUAQomCgNzdmMSABoHZGVmYXVsdCIAKgAyADgAQgBaCgoDYXBwEgNzdmMSZgobCgc4MC04MDgwEgNUQ1AYUCIHCAAQkD8aACgACiIKCTQ0My1odHRwcxIDVENQGLsDIgsIARAAGgVodHRwcygAEgoKA2FwcBIDc3ZjGgAiCUNsdXN0ZXJJUDoAQgBSAFoAYABoABoCCgAaACIA"
                    + "|{'kind':'Service','apiVersion':'v1','metadata':{'name':'svc','namespace':'default','creationTimestamp':null,'labels':{'app':'svc'}},"
                    + "'spec':{'ports':[{'name':'80-8080','protocol':'TCP','port':80,'targetPort':8080},{'name':'443-https','protocol':'TCP','port':443,'targetPort':'https'}],"
                    + "'selector':{'app':'svc'},'type':'ClusterIP'},'status':{'loadBalancer':{}}}",
            "create deployment web --image=nginx --replicas=2"
                    + "|azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50ErIBCiYKA3dlYhIAGgdkZWZhdWx0IgAqADIAOABCAFoKCgNhcHASA3dlYhJ6CAISDAoKCgNhcHASA3dlYhpgChwKABIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEkASIgoFbmdpbngSBW5naW54KgBCAGoAcgCAAQCIAQCQAQCiAQAaADIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAIgIKACgAOAAaDAgAEAAYACAAKAA4ABoAIgA="
                    + "|{'kind':'Deployment','apiVersion':'apps/v1','metadata':{'name':'web','namespace':'default','creationTimestamp':null,'labels':{'app':'web'}},"
                    + "'spec':{'replicas':2,'selector':{'matchLabels':{'app':'web'}},'template':{'metadata':{'creationTimestamp':null,'labels':{'app':'web'}},"
                    + "'spec':{'containers':[{'name':'nginx','image':'nginx','resources':{}}]}},'strategy':{}},'status':{}}"})
    void recordedKubectlBodiesDecodeToWhatKubectlPrintsAsJson(String command, String base64, String json) {
        // The expected JSON is `kubectl <command> --dry-run=client -o json`.
        assertJson(ProtobufDecoder.decode(Base64.getDecoder().decode(base64)), json.replace('\'', '"'));
    }

    // ---- malformed bodies ----

    @Test
    void bodyWithoutTheMagicIsABadRequest() {
        assertBadRequest("{\"kind\":\"Namespace\"}".getBytes(), "magic");
        assertBadRequest(new byte[0], "magic");
        assertBadRequest(null, "magic");
        assertBadRequest(new byte[]{0x6b, 0x38, 0x73}, "magic");
    }

    @Test
    void truncatedBodyIsABadRequest() {
        byte[] full = body("v1", "Namespace", V1.Namespace.newBuilder().setMetadata(goMeta("demo", "")).build());

        for (int length : new int[]{full.length - 1, full.length - 5, 10}) {
            assertBadRequest(Arrays.copyOf(full, length), "protobuf");
        }
    }

    @Test
    void garbageAfterTheMagicIsABadRequest() {
        assertBadRequest(new byte[]{0x6b, 0x38, 0x73, 0x00, (byte) 0xff, (byte) 0xff, (byte) 0xff}, "runtime.Unknown");
    }

    @Test
    void unknownKindIsABadRequest() {
        assertBadRequest(wrap("v1", "Gadget", new byte[0]), "no kind \"Gadget\" is registered for version \"v1\"");
        assertBadRequest(wrap("v1", "PodSpec", new byte[0]), "no kind \"PodSpec\"");
        assertBadRequest(wrap("example.com/v1", "Widget", new byte[0]), "no kind \"Widget\"");
        assertBadRequest(wrap("", "Pod", new byte[0]), "apiVersion");
        assertBadRequest(wrap("v1", "", new byte[0]), "Kind");
    }

    @Test
    void objectThatIsNotItsKindsMessageIsABadRequest() {
        // A ConfigMap whose data entry (field 2) claims 10 bytes and has 1.
        assertBadRequest(wrap("v1", "ConfigMap", new byte[]{0x12, 0x0a, 0x01}), "not a valid v1 ConfigMap");
    }

    @Test
    void intOrStringWithAnUnknownTypeIsABadRequest() {
        V1.Service service = V1.Service.newBuilder().setMetadata(goMeta("svc", "default"))
                .setSpec(V1.ServiceSpec.newBuilder().addPorts(goServicePort("p", 80,
                        IntOrString.newBuilder().setType(7).setIntVal(1).setStrVal("")))).build();

        assertBadRequest(body("v1", "Service", service), "IntOrString");
    }

    @Test
    void corruptedBodiesAreDecodedOrRejectedWithABadRequestButNeverThrowAnythingElse() {
        byte[] valid = Base64.getDecoder().decode("azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50ErIBCiYKA3dlYhIAGgdkZWZhdWx0IgAqADIAOABCAFoKCgNhcHASA3dlYhJ6CAISDAoKCgNhcHASA3dlYhpgChwKABIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEkASIgoFbmdpbngSBW5naW54KgBCAGoAcgCAAQCIAQCQAQCiAQAaADIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAIgIKACgAOAAaDAgAEAAYACAAKAA4ABoAIgA=");
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 5000; i++) {
            byte[] body = Arrays.copyOf(valid, 5 + random.nextInt(valid.length - 4));
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                body[4 + random.nextInt(body.length - 4)] = (byte) random.nextInt(256);
            }
            try {
                ProtobufDecoder.decode(body);
            } catch (ApiException e) {
                assertThat(e.code()).isEqualTo(400);
            }
        }
    }

    @Test
    void runtimeUnknownWithJsonContentTypeIsReadAsJson() {
        byte[] raw = "{\"metadata\":{\"name\":\"demo\"}}".getBytes();
        Runtime.Unknown unknown = Runtime.Unknown.newBuilder()
                .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion("v1").setKind("Namespace"))
                .setRaw(ByteString.copyFrom(raw)).setContentEncoding("").setContentType("application/json").build();

        assertJson(ProtobufDecoder.decode(concat(new byte[]{0x6b, 0x38, 0x73, 0x00}, unknown.toByteArray())), """
                {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"demo"}}""");
    }

    // ---- helpers: Go-style messages and the wire format ----

    /** ObjectMeta as Go writes it: every non-pointer field, and creationTimestamp as an empty (zero) Time. */
    private static ObjectMeta goMeta(String name, String namespace) {
        return ObjectMeta.newBuilder().setName(name).setGenerateName("").setNamespace(namespace).setSelfLink("")
                .setUid("").setResourceVersion("").setGeneration(0).setCreationTimestamp(Meta.Time.newBuilder()).build();
    }

    private static V1.Container.Builder goContainer(String name, String image) {
        return V1.Container.newBuilder().setName(name).setImage(image).setWorkingDir("")
                .setResources(V1.ResourceRequirements.newBuilder()).setTerminationMessagePath("")
                .setTerminationMessagePolicy("").setImagePullPolicy("").setStdin(false).setStdinOnce(false).setTty(false);
    }

    private static V1.PodSpec goPodSpec(V1.Container container) {
        return V1.PodSpec.newBuilder().addContainers(container).setRestartPolicy("").setDnsPolicy("")
                .setServiceAccountName("").setServiceAccount("").setNodeName("").setHostNetwork(false).setHostPID(false)
                .setHostIPC(false).setHostname("").setSubdomain("").setSchedulerName("").setPriorityClassName("").build();
    }

    private static V1.ServicePort goServicePort(String name, int port, IntOrString.Builder targetPort) {
        return V1.ServicePort.newBuilder().setName(name).setProtocol("TCP").setPort(port).setTargetPort(targetPort)
                .setNodePort(0).build();
    }

    private static byte[] body(String apiVersion, String kind, Message object) {
        return wrap(apiVersion, kind, object.toByteArray());
    }

    /** What kubectl sends: magic, then runtime.Unknown with empty contentEncoding and contentType. */
    private static byte[] wrap(String apiVersion, String kind, byte[] raw) {
        Runtime.Unknown unknown = Runtime.Unknown.newBuilder()
                .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
                .setRaw(ByteString.copyFrom(raw)).setContentEncoding("").setContentType("").build();
        return concat(new byte[]{0x6b, 0x38, 0x73, 0x00}, unknown.toByteArray());
    }

    private static byte[] timestamp(long seconds, int nanos) {
        return concat(varintField(1, seconds), varintField(2, nanos));
    }

    private static byte[] varintField(int number, long value) {
        return concat(varint((long) number << 3), varint(value));
    }

    private static byte[] stringField(int number, String value) {
        return messageField(number, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static byte[] messageField(int number, byte[] value) {
        return concat(varint(((long) number << 3) | 2), varint(value.length), value);
    }

    private static byte[] varint(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static void assertJson(JsonNode actual, String expected) {
        assertThat(actual).isEqualTo(JSON.readTree(expected));
    }

    private static void assertBadRequest(byte[] body, String messagePart) {
        assertThatThrownBy(() -> ProtobufDecoder.decode(body))
                .isInstanceOf(ApiException.class)
                .satisfies(e -> {
                    assertThat(((ApiException) e).code()).isEqualTo(400);
                    assertThat(e.getMessage()).contains(messagePart);
                });
    }
}
