package dev.coracle.server.patch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static dev.coracle.server.patch.Kube.DEPLOYMENTS;
import static dev.coracle.server.patch.Kube.body;
import static dev.coracle.server.patch.Kube.json;
import static dev.coracle.server.patch.Kube.obj;
import static org.assertj.core.api.Assertions.assertThat;

class ManagedFieldsTest {

    private final FieldManager fields = new FieldManager(Clock.fixed(Instant.parse("2024-05-01T10:00:00Z"), ZoneOffset.UTC));
    private final FieldManager later = new FieldManager(Clock.fixed(Instant.parse("2024-05-02T08:30:00Z"), ZoneOffset.UTC));

    /** What {@code kubectl create deployment web --image=nginx --port=80} creates (before the server's own fields). */
    private static ObjectNode newDeployment() {
        return obj("""
                {'apiVersion':'apps/v1','kind':'Deployment',
                 'metadata':{'name':'web','namespace':'default','labels':{'app':'web'}},
                 'spec':{'replicas':1,'selector':{'matchLabels':{'app':'web'}},
                   'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':'25%','maxUnavailable':'25%'}},
                   'template':{'metadata':{'labels':{'app':'web'}},
                     'spec':{'containers':[{'name':'nginx','image':'nginx','ports':[{'containerPort':80,'protocol':'TCP'}],'resources':{}}],
                       'restartPolicy':'Always'}}},
                 'status':{}}""");
    }

    /** Created by kubectl-create and stored with the server's fields. */
    private ObjectNode created() {
        ObjectNode o = fields.update(null, newDeployment(), "kubectl-create", DEPLOYMENTS);
        o.withObject("/metadata").put("uid", "6f1c").put("resourceVersion", "1").put("generation", 1)
                .put("creationTimestamp", "2024-05-01T10:00:00Z");
        return o;
    }

    private static JsonNode entry(ObjectNode object, String manager) {
        for (JsonNode e : object.at("/metadata/managedFields")) {
            if (e.get("manager").asString().equals(manager)) {
                return e;
            }
        }
        return null;
    }

    @Test
    void createRecordsAnUpdateEntryShapedAsKubernetesShapesIt() {
        ObjectNode web = fields.update(null, newDeployment(), "kubectl-create", DEPLOYMENTS);

        assertThat(web.at("/metadata/managedFields")).singleElement().isEqualTo(json("""
                {'manager':'kubectl-create','operation':'Update','apiVersion':'apps/v1','time':'2024-05-01T10:00:00Z',
                 'fieldsType':'FieldsV1','fieldsV1':{
                   'f:metadata':{'f:labels':{'.':{},'f:app':{}}},
                   'f:spec':{'f:replicas':{},'f:selector':{},
                     'f:strategy':{'f:rollingUpdate':{'.':{},'f:maxSurge':{},'f:maxUnavailable':{}},'f:type':{}},
                     'f:template':{'f:metadata':{'f:labels':{'.':{},'f:app':{}}},
                       'f:spec':{'f:containers':{'k:{\\"name\\":\\"nginx\\"}':{'.':{},'f:image':{},'f:name':{},
                           'f:ports':{'.':{},'k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}':{'.':{},'f:containerPort':{},'f:protocol':{}}},
                           'f:resources':{}}},
                         'f:restartPolicy':{}}}}}}"""));
    }

    @Test
    void createsOfOneShapeOwnTheSameFieldsWhateverTheirValues() {
        ObjectNode first = fields.update(null, newDeployment(), "kubectl-create", DEPLOYMENTS);
        ObjectNode other = newDeployment();
        other.withObject("/metadata").put("name", "api");
        other.withObject("/spec").put("replicas", 7);
        ((ObjectNode) other.at("/spec/template/spec/containers/0")).put("image", "nginx:1.27");

        ObjectNode second = fields.update(null, other, "kubectl-create", DEPLOYMENTS);

        assertThat(second.at("/metadata/managedFields")).isEqualTo(first.at("/metadata/managedFields"));
        assertThat(second.at("/spec/replicas").asInt()).as("the object itself is not the first one's").isEqualTo(7);
    }

    @Test
    void createsOfAnotherShapeOwnTheirOwnFields() {
        fields.update(null, newDeployment(), "kubectl-create", DEPLOYMENTS);
        ObjectNode renamedContainer = newDeployment();
        ((ObjectNode) renamedContainer.at("/spec/template/spec/containers/0")).put("name", "web");
        ((ObjectNode) renamedContainer.at("/spec/template/spec/containers/0")).remove("ports");
        ObjectNode annotated = newDeployment();
        annotated.withObject("/metadata").putObject("annotations").put("team", "blue");
        ObjectNode emptied = newDeployment();
        emptied.withObject("/metadata").putObject("labels");

        JsonNode container = fields.update(null, renamedContainer, "kubectl-create", DEPLOYMENTS)
                .at("/metadata/managedFields/0/fieldsV1/f:spec/f:template/f:spec/f:containers");
        JsonNode metadata = fields.update(null, annotated, "kubectl-create", DEPLOYMENTS).at("/metadata/managedFields/0/fieldsV1/f:metadata");
        JsonNode noLabels = fields.update(null, emptied, "kubectl-create", DEPLOYMENTS).at("/metadata/managedFields/0/fieldsV1/f:metadata");

        assertThat(container.propertyNames()).containsExactly("k:{\"name\":\"web\"}");
        assertThat(container.at("/k:{\"name\":\"web\"}").has("f:ports")).isFalse();
        assertThat(metadata).isEqualTo(json("{'f:annotations':{'.':{},'f:team':{}},'f:labels':{'.':{},'f:app':{}}}"));
        assertThat(noLabels).isEqualTo(json("{'f:labels':{}}"));
    }

    @Test
    void kubectlLabelOwnsTheLabelItAdded() {
        ObjectNode live = created();
        ObjectNode labelled = MergePatch.apply(live, body("{'metadata':{'labels':{'env':'prod'}}}"));

        ObjectNode web = later.update(live, labelled, "kubectl-label", DEPLOYMENTS);

        assertThat(entry(web, "kubectl-label")).isEqualTo(json("""
                {'manager':'kubectl-label','operation':'Update','apiVersion':'apps/v1','time':'2024-05-02T08:30:00Z',
                 'fieldsType':'FieldsV1','fieldsV1':{'f:metadata':{'f:labels':{'f:env':{}}}}}"""));
        assertThat(entry(web, "kubectl-create")).isEqualTo(entry(live, "kubectl-create"));
        assertThat(web.at("/metadata/managedFields/0/manager").asString()).as("ordered by time").isEqualTo("kubectl-create");
    }

    @Test
    void kubectlSetImageTakesTheImageFromTheCreator() {
        ObjectNode live = created();
        ObjectNode patched = StrategicMergePatch.apply(live,
                body("{'spec':{'template':{'spec':{'containers':[{'image':'nginx:1.27','name':'nginx'}]}}}}"),
                io.fabric8.kubernetes.api.model.apps.Deployment.class);

        ObjectNode web = later.update(live, patched, "kubectl-set", DEPLOYMENTS);

        assertThat(entry(web, "kubectl-set").get("fieldsV1")).isEqualTo(json(
                "{'f:spec':{'f:template':{'f:spec':{'f:containers':{'k:{\\\"name\\\":\\\"nginx\\\"}':{'f:image':{}}}}}}}"));
        assertThat(entry(web, "kubectl-create").at("/fieldsV1/f:spec/f:template/f:spec/f:containers")
                .get("k:{\"name\":\"nginx\"}").has("f:image")).isFalse();
    }

    @Test
    void kubectlRolloutRestartOwnsTheTemplateAnnotation() {
        ObjectNode live = created();
        ObjectNode patched = StrategicMergePatch.apply(live,
                body("{'spec':{'template':{'metadata':{'annotations':{'kubectl.kubernetes.io/restartedAt':'2024-05-02T08:30:00Z'}}}}}"),
                io.fabric8.kubernetes.api.model.apps.Deployment.class);

        ObjectNode web = later.update(live, patched, "kubectl-rollout", DEPLOYMENTS);

        assertThat(entry(web, "kubectl-rollout").get("fieldsV1")).isEqualTo(json(
                "{'f:spec':{'f:template':{'f:metadata':{'f:annotations':{'.':{},'f:kubectl.kubernetes.io/restartedAt':{}}}}}}"));
    }

    @Test
    void removedFieldsLeaveEveryEntry() {
        ObjectNode live = created();
        ObjectNode edited = live.deepCopy();
        ((ObjectNode) edited.at("/spec/strategy")).remove("rollingUpdate");

        ObjectNode web = later.update(live, edited, "kubectl-edit", DEPLOYMENTS);

        assertThat(entry(web, "kubectl-create").at("/fieldsV1/f:spec/f:strategy")).isEqualTo(json("{'f:type':{}}"));
        assertThat(entry(web, "kubectl-edit")).as("a write that only removes owns nothing").isNull();
    }

    @Test
    void aWriteThatChangesNothingLeavesManagedFieldsAsTheyWere() {
        ObjectNode live = created();
        ObjectNode web = later.update(live, live.deepCopy(), "kubectl-edit", DEPLOYMENTS);
        assertThat(web).isEqualTo(live);
    }

    @Test
    void serverFieldsAndStatusAreNeverOwnedThroughTheMainResource() {
        ObjectNode live = created();
        ObjectNode edited = live.deepCopy();
        edited.withObject("/metadata").put("resourceVersion", "2").put("generation", 2);
        edited.withObject("/status").put("replicas", 1);

        ObjectNode web = later.update(live, edited, "controller", DEPLOYMENTS);

        assertThat(entry(web, "controller")).isNull();
    }

    @Test
    void statusWritesThroughTheStatusSubresourceAreOwnedWithTheSubresource() {
        ObjectNode live = created();
        ObjectNode withStatus = live.deepCopy();
        withStatus.withObject("/status").put("replicas", 1).put("observedGeneration", 1);

        ObjectNode web = later.update(live, withStatus, "kube-controller-manager", DEPLOYMENTS, "status");

        assertThat(entry(web, "kube-controller-manager")).isEqualTo(json("""
                {'manager':'kube-controller-manager','operation':'Update','apiVersion':'apps/v1','time':'2024-05-02T08:30:00Z',
                 'fieldsType':'FieldsV1','fieldsV1':{'f:status':{'f:observedGeneration':{},'f:replicas':{}}},'subresource':'status'}"""));
    }

    @Test
    void scaleThroughTheScaleSubresourceOwnsReplicasWithTheSubresource() {
        ObjectNode live = created();
        ObjectNode scaled = MergePatch.apply(live, body("{'spec':{'replicas':3}}"));

        ObjectNode web = later.update(live, scaled, "kubectl", DEPLOYMENTS, "scale");

        JsonNode e = entry(web, "kubectl");
        assertThat(e.get("subresource").asString()).isEqualTo("scale");
        assertThat(e.get("fieldsV1")).isEqualTo(json("{'f:spec':{'f:replicas':{}}}"));
    }

    @Test
    void managedFieldsSentByTheWriterAreKeptAndAnEmptyListIsNot() {
        ObjectNode live = created();
        ObjectNode edited = live.deepCopy();
        ((ObjectNode) edited.at("/metadata")).putArray("managedFields");
        assertThat(later.update(live, edited, "kubectl-edit", DEPLOYMENTS).at("/metadata/managedFields"))
                .isEqualTo(live.at("/metadata/managedFields"));

        ObjectNode reset = live.deepCopy();
        ((ObjectNode) reset.at("/metadata")).putArray("managedFields").addObject();
        assertThat(later.update(live, reset, "kubectl-edit", DEPLOYMENTS).at("/metadata").has("managedFields"))
                .as("[{}] clears them").isFalse();
    }

    @Test
    void anExistingObjectWithoutManagedFieldsStaysUntrackedByUpdates() {
        ObjectNode live = Kube.deployment();
        ObjectNode edited = MergePatch.apply(live, body("{'spec':{'replicas':3}}"));
        assertThat(fields.update(live, edited, "kubectl-edit", DEPLOYMENTS).at("/metadata").has("managedFields")).isFalse();
    }

    @Test
    void atMostTenUpdateManagersAreKeptTheOldestMergedIntoAncientChanges() {
        ObjectNode live = created();
        for (int i = 0; i < 11; i++) {
            FieldManager at = new FieldManager(Clock.fixed(Instant.parse("2024-05-02T08:30:00Z").plusSeconds(i), ZoneOffset.UTC));
            ObjectNode labelled = MergePatch.apply(live, body("{'metadata':{'labels':{'l" + i + "':'v'}}}"));
            live = at.update(live, labelled, "labeller-" + i, DEPLOYMENTS);
        }
        JsonNode managed = live.at("/metadata/managedFields");
        assertThat(managed).hasSize(10);
        JsonNode ancient = entry(live, "ancient-changes");
        assertThat(ancient).isNotNull();
        assertThat(ancient.at("/fieldsV1/f:metadata/f:labels").has("f:l0")).isTrue();
        assertThat(ancient.at("/fieldsV1/f:spec").isObject()).as("kubectl-create's fields are in the bucket").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{'f:metadata':{'f:labels':{'.':{},'f:app':{}}}}",
            "{'f:spec':{'f:containers':{'k:{\\\"name\\\":\\\"a\\\"}':{'.':{},'f:ports':{'k:{\\\"containerPort\\\":80,\\\"protocol\\\":\\\"TCP\\\"}':{}}}}}}",
            "{'f:metadata':{'f:finalizers':{'.':{},'v:\\\"kubernetes.io/pvc-protection\\\"':{}}}}",
            "{'f:data':{},'f:spec':{'f:x':{'i:0':{}}}}"})
    void fieldsV1RoundTrips(String fieldsV1) {
        JsonNode json = json(fieldsV1);
        assertThat(FieldSet.fromFieldsV1(json).toFieldsV1()).isEqualTo(json);
    }

    @Test
    void managerForFallsBackToTheUserAgentPrefix() {
        assertThat(FieldManager.managerFor("kubectl-edit", "kubectl/v1.32.0 (linux/amd64) kubernetes/abc")).isEqualTo("kubectl-edit");
        assertThat(FieldManager.managerFor(null, "kubectl/v1.32.0 (linux/amd64) kubernetes/abc")).isEqualTo("kubectl");
        assertThat(FieldManager.managerFor("", "kube-controller-manager/v1.32.0 (linux/amd64)")).isEqualTo("kube-controller-manager");
    }
}
