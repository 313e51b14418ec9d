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

class MergePatchTest {

    static Stream<Arguments> rfc7386Examples() {
        return Stream.of(
                Arguments.of("{'a':'b'}", "{'a':'c'}", "{'a':'c'}"),
                Arguments.of("{'a':'b'}", "{'b':'c'}", "{'a':'b','b':'c'}"),
                Arguments.of("{'a':'b'}", "{'a':null}", "{}"),
                Arguments.of("{'a':'b','b':'c'}", "{'a':null}", "{'b':'c'}"),
                Arguments.of("{'a':['b']}", "{'a':'c'}", "{'a':'c'}"),
                Arguments.of("{'a':'c'}", "{'a':['b']}", "{'a':['b']}"),
                Arguments.of("{'a':{'b':'c'}}", "{'a':{'b':'d','c':null}}", "{'a':{'b':'d'}}"),
                Arguments.of("{'a':[{'b':'c'}]}", "{'a':[1]}", "{'a':[1]}"),
                Arguments.of("{'e':null}", "{'a':1}", "{'e':null,'a':1}"),
                Arguments.of("{}", "{'a':{'bb':{'ccc':null}}}", "{'a':{'bb':{}}}"));
    }

    @ParameterizedTest(name = "{0} + {1}")
    @MethodSource("rfc7386Examples")
    void mergesAsRfc7386Says(String target, String patch, String expected) {
        assertThat(MergePatch.apply(obj(target), body(patch))).isEqualTo(json(expected));
    }

    @Test
    void kubectlLabelAddsTheLabel() {
        ObjectNode pod = obj("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'x','labels':{'app':'x'}},'spec':{}}");
        ObjectNode patched = MergePatch.apply(pod, body("{'metadata':{'labels':{'env':'prod'}}}"));
        assertThat(patched.at("/metadata/labels")).isEqualTo(json("{'app':'x','env':'prod'}"));
    }

    @Test
    void kubectlLabelWithMinusRemovesTheLabel() {
        ObjectNode pod = obj("{'metadata':{'name':'x','labels':{'app':'x','env':'prod'}}}");
        assertThat(MergePatch.apply(pod, body("{'metadata':{'labels':{'env':null}}}")).at("/metadata/labels"))
                .isEqualTo(json("{'app':'x'}"));
    }

    @Test
    void kubectlScaleSetsSpecReplicas() {
        ObjectNode patched = MergePatch.apply(Kube.deployment(), body("{'spec':{'replicas':3}}"));
        assertThat(patched.at("/spec/replicas").asInt()).isEqualTo(3);
        assertThat(patched.at("/spec/template")).isEqualTo(Kube.deployment().at("/spec/template"));
    }

    @Test
    void listsAreReplacedWhole() {
        ObjectNode patched = MergePatch.apply(Kube.deployment(),
                body("{'spec':{'template':{'spec':{'containers':[{'name':'nginx','image':'nginx:1.27'}]}}}}"));
        assertThat(patched.at("/spec/template/spec/containers")).isEqualTo(json("[{'name':'nginx','image':'nginx:1.27'}]"));
    }

    @Test
    void aBodyThatIsNotAnObjectIs400() {
        assertThatThrownBy(() -> MergePatch.apply(obj("{}"), body("[1]")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
        assertThatThrownBy(() -> MergePatch.apply(obj("{}"), body("{")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
    }
}
