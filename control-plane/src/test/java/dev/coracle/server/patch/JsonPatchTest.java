package dev.coracle.server.patch;

import dev.coracle.server.api.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

import java.util.stream.Stream;

import static dev.coracle.server.patch.Kube.body;
import static dev.coracle.server.patch.Kube.json;
import static dev.coracle.server.patch.Kube.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonPatchTest {

    private static final ObjectNode DOC = obj("{'a':{'b':1,'list':[1,2,3]},'c':'x','d':{'e~f':1,'g/h':2}}");

    static Stream<Arguments> operations() {
        return Stream.of(
                Arguments.of("add sets a member", "[{'op':'add','path':'/a/z','value':true}]",
                        "{'a':{'b':1,'list':[1,2,3],'z':true},'c':'x','d':{'e~f':1,'g/h':2}}"),
                Arguments.of("add inserts into a list", "[{'op':'add','path':'/a/list/1','value':9}]",
                        "{'a':{'b':1,'list':[1,9,2,3]},'c':'x','d':{'e~f':1,'g/h':2}}"),
                Arguments.of("add with - appends", "[{'op':'add','path':'/a/list/-','value':4}]",
                        "{'a':{'b':1,'list':[1,2,3,4]},'c':'x','d':{'e~f':1,'g/h':2}}"),
                Arguments.of("remove deletes a member", "[{'op':'remove','path':'/c'}]",
                        "{'a':{'b':1,'list':[1,2,3]},'d':{'e~f':1,'g/h':2}}"),
                Arguments.of("remove deletes a list item", "[{'op':'remove','path':'/a/list/0'}]",
                        "{'a':{'b':1,'list':[2,3]},'c':'x','d':{'e~f':1,'g/h':2}}"),
                Arguments.of("replace changes a value", "[{'op':'replace','path':'/a/b','value':{'n':1}}]",
                        "{'a':{'b':{'n':1},'list':[1,2,3]},'c':'x','d':{'e~f':1,'g/h':2}}"),
                Arguments.of("move relocates a value", "[{'op':'move','from':'/c','path':'/a/c'}]",
                        "{'a':{'b':1,'list':[1,2,3],'c':'x'},'d':{'e~f':1,'g/h':2}}"),
                Arguments.of("copy duplicates a value", "[{'op':'copy','from':'/a/b','path':'/b'}]",
                        "{'a':{'b':1,'list':[1,2,3]},'b':1,'c':'x','d':{'e~f':1,'g/h':2}}"),
                Arguments.of("test that passes changes nothing", "[{'op':'test','path':'/a/list','value':[1,2,3]}]",
                        "{'a':{'b':1,'list':[1,2,3]},'c':'x','d':{'e~f':1,'g/h':2}}"),
                Arguments.of("escaped pointer tokens", "[{'op':'remove','path':'/d/e~0f'},{'op':'replace','path':'/d/g~1h','value':3}]",
                        "{'a':{'b':1,'list':[1,2,3]},'c':'x','d':{'g/h':3}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("operations")
    void appliesEachOperationOfRfc6902(String name, String patch, String expected) {
        assertThat(JsonPatch.apply(DOC, body(patch))).isEqualTo(json(expected));
        assertThat(DOC).as("the live object is not modified").isEqualTo(json("{'a':{'b':1,'list':[1,2,3]},'c':'x','d':{'e~f':1,'g/h':2}}"));
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("failed test", "[{'op':'test','path':'/c','value':'y'}]", "testing value /c failed: test failed"),
                Arguments.of("replace of a missing key", "[{'op':'replace','path':'/spec/replicas','value':3}]",
                        "replace operation does not apply: doc is missing key: /spec/replicas: missing value"),
                Arguments.of("remove of a missing key", "[{'op':'remove','path':'/nope'}]",
                        "remove operation does not apply: doc is missing path: \"/nope\": missing value"),
                Arguments.of("add below a missing parent", "[{'op':'add','path':'/x/y','value':1}]",
                        "add operation does not apply: doc is missing path: \"/x/y\": missing value"),
                Arguments.of("index out of range", "[{'op':'add','path':'/a/list/7','value':1}]",
                        "Unable to access invalid index: 7: invalid index referenced"),
                Arguments.of("unknown op", "[{'op':'frobnicate','path':'/a'}]", "Unexpected kind: frobnicate"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void anOperationThatDoesNotApplyIs422WithTheReasonAsCause(String name, String patch, String cause) {
        assertThatThrownBy(() -> JsonPatch.apply(DOC, body(patch)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.status().getReason()).isEqualTo("Invalid");
                    assertThat(e.status().getMessage()).isEqualTo("the server rejected our request due to an error in our request");
                    assertThat(e.status().getDetails().getCauses().get(0).getMessage()).isEqualTo(cause);
                });
    }

    @Test
    void aBodyThatIsNotAListOfOperationsIs400() {
        assertThatThrownBy(() -> JsonPatch.apply(DOC, body("{'op':'add'}")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
        assertThatThrownBy(() -> JsonPatch.apply(DOC, body("[{'op':")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
    }

    @Test
    void testComparesNumbersByValue() {
        ObjectNode doc = Kube.deployment();
        doc.withObject("/spec").put("replicas", 3L);
        assertThat(JsonPatch.apply(doc, body("[{'op':'test','path':'/spec/replicas','value':3}]"))).isEqualTo(doc);
    }

    @Test
    void kubectlRolloutUndoReplacesTheTemplateAndAnnotations() {
        ObjectNode live = Kube.deployment();
        byte[] undo = body("""
                [{'op':'replace','path':'/spec/template','value':{'metadata':{'labels':{'app':'web'}},
                   'spec':{'containers':[{'name':'nginx','image':'nginx:1.24','imagePullPolicy':'IfNotPresent',
                   'ports':[{'containerPort':80,'protocol':'TCP'}],'resources':{}}],'restartPolicy':'Always'}}},
                 {'op':'replace','path':'/metadata/annotations','value':{'deployment.kubernetes.io/revision':'3'}}]""");

        ObjectNode patched = JsonPatch.apply(live, undo);

        assertThat(patched.at("/spec/template/spec/containers/0/image").asString()).isEqualTo("nginx:1.24");
        assertThat(patched.at("/spec/template/spec/containers/0/ports")).hasSize(1);
        assertThat(patched.at("/spec/template/spec/dnsPolicy").isMissingNode()).isTrue();
        assertThat(patched.at("/metadata/annotations")).isEqualTo(json("{'deployment.kubernetes.io/revision':'3'}"));
        assertThat(patched.at("/spec/replicas").asInt()).isEqualTo(1);
    }

    @Test
    void moreThanTenThousandOperationsIs413() {
        StringBuilder ops = new StringBuilder("[");
        for (int i = 0; i <= JsonPatch.MAX_OPERATIONS; i++) {
            ops.append(i == 0 ? "" : ",").append("{'op':'test','path':'/c','value':'x'}");
        }
        assertThatThrownBy(() -> JsonPatch.apply(DOC, body(ops.append("]").toString())))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(413));
    }
}
