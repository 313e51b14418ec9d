package dev.coracle.dashboard.web;

import dev.coracle.dashboard.cluster.ApiProblem;
import dev.coracle.dashboard.cluster.ClusterCache;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /apply}: paste or upload manifests; each document is server-side applied (field manager
 * {@code coracle-dashboard}, like {@code kubectl apply --server-side}); a refusal is shown with the fields the API
 * named in its Status causes.
 */
@Controller
public class ApplyController {

    static final String FIELD_MANAGER = "coracle-dashboard";

    record FieldError(String field, String reason, String message) {
    }

    record Outcome(String object, boolean ok, String message, int code, List<FieldError> fields) {
    }

    @GetMapping("/apply")
    String form(Model model) {
        model.addAttribute("yaml", "");
        model.addAttribute("namespace", "default");
        return "apply";
    }

    @PostMapping("/apply")
    String apply(@RequestParam(name = "yaml", defaultValue = "") String yaml,
                 @RequestParam(name = "file", required = false) MultipartFile file,
                 @RequestParam(name = "namespace", defaultValue = "default") String namespace,
                 ClusterCache cache, Model model) throws IOException {
        String text = file != null && !file.isEmpty() ? new String(file.getBytes(), StandardCharsets.UTF_8) : yaml;
        model.addAttribute("yaml", text);
        model.addAttribute("namespace", namespace);
        List<Outcome> outcomes = new ArrayList<>();
        List<HasMetadata> items;
        try {
            items = cache.client().load(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))).items();
        } catch (RuntimeException e) {
            model.addAttribute("parseError", "The manifest is not valid YAML or names no kind: " + rootMessage(e));
            return "apply";
        }
        if (items.isEmpty()) {
            model.addAttribute("parseError", "No objects in the manifest.");
            return "apply";
        }
        for (HasMetadata item : items) {
            String label = (item.getKind() == null ? "?" : item.getKind().toLowerCase()) + "/"
                    + (item.getMetadata() == null ? "?" : item.getMetadata().getName());
            try {
                if (item instanceof Namespaced && item.getMetadata().getNamespace() == null) {
                    item.getMetadata().setNamespace(namespace.isBlank() ? "default" : namespace);
                }
                cache.client().resource(item).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
                outcomes.add(new Outcome(label, true, "serverside-applied", 200, List.of()));
            } catch (KubernetesClientException e) {
                List<FieldError> fields = new ArrayList<>();
                if (e.getStatus() != null && e.getStatus().getDetails() != null && e.getStatus().getDetails().getCauses() != null) {
                    for (StatusCause c : e.getStatus().getDetails().getCauses()) {
                        fields.add(new FieldError(c.getField(), c.getReason(), c.getMessage()));
                    }
                }
                ApiProblem p = ApiProblem.of(e);
                outcomes.add(new Outcome(label, false, p.getMessage(), p.code(), fields));
            } catch (RuntimeException e) {
                outcomes.add(new Outcome(label, false, rootMessage(e), 0, List.of()));
            }
        }
        model.addAttribute("outcomes", outcomes);
        return "apply";
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
