package dev.coracle.dashboard.logs;

import dev.coracle.dashboard.cluster.ClusterCache;
import dev.coracle.dashboard.cluster.Kind;
import dev.coracle.dashboard.view.LabelSelector;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Live logs over server-sent events: a pod's (container, tail lines, timestamps, previous, follow; download), and a
 * Deployment's — every pod's lines in one stream, each marked with its pod, new pods joining as they appear.
 */
@Controller
public class LogsController {

    private static final int MAX_WORKLOAD_PODS = 30;

    private final LogStreams streams;

    public LogsController(LogStreams streams) {
        this.streams = streams;
    }

    @GetMapping(path = "/pods/{namespace}/{name}/log/stream", produces = "text/event-stream")
    @ResponseBody
    SseEmitter podLog(@PathVariable String namespace, @PathVariable String name,
                      @RequestParam(defaultValue = "") String container, @RequestParam(required = false) Integer tailLines,
                      @RequestParam(defaultValue = "false") boolean timestamps, @RequestParam(defaultValue = "false") boolean previous,
                      @RequestParam(defaultValue = "true") boolean follow, ClusterCache cache) {
        SseEmitter emitter = new SseEmitter(0L);
        LogRequest request = new LogRequest(namespace, name, container, tailLines, timestamps, previous);
        Object lock = new Object();
        LogStreams.Follow handle = streams.follow(cache.client(), request, follow,
                line -> send(emitter, lock, "line", line),
                problem -> {
                    send(emitter, lock, problem == null ? "end" : "problem", problem == null ? "" : problem);
                    emitter.complete();
                });
        emitter.onCompletion(handle::close);
        emitter.onTimeout(handle::close);
        emitter.onError(t -> handle.close());
        return emitter;
    }

    @GetMapping("/pods/{namespace}/{name}/log/download")
    ResponseEntity<String> download(@PathVariable String namespace, @PathVariable String name,
                                    @RequestParam(defaultValue = "") String container, @RequestParam(required = false) Integer tailLines,
                                    @RequestParam(defaultValue = "false") boolean timestamps, @RequestParam(defaultValue = "false") boolean previous,
                                    ClusterCache cache) {
        LogRequest request = new LogRequest(namespace, name, container, tailLines, timestamps, previous);
        String text = streams.read(cache.client(), request);
        return ResponseEntity.ok()
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(request.fileName()).build().toString())
                .contentType(MediaType.TEXT_PLAIN).body(text);
    }

    @GetMapping("/workloads/deployments/{namespace}/{name}/logs")
    String workloadLogsPage(@PathVariable String namespace, @PathVariable String name, ClusterCache cache, Model model) {
        Deployment d = dev.coracle.dashboard.web.Lookups.deployment(cache, namespace, name);
        model.addAttribute("namespace", namespace);
        model.addAttribute("name", name);
        model.addAttribute("pods", pods(cache, d).stream().map(p -> p.getMetadata().getName()).sorted().toList());
        return "workload-logs";
    }

    @GetMapping(path = "/workloads/deployments/{namespace}/{name}/logs/stream", produces = "text/event-stream")
    @ResponseBody
    SseEmitter workloadLogs(@PathVariable String namespace, @PathVariable String name,
                            @RequestParam(defaultValue = "20") Integer tailLines, @RequestParam(defaultValue = "false") boolean timestamps,
                            ClusterCache cache) {
        Deployment d = dev.coracle.dashboard.web.Lookups.deployment(cache, namespace, name);
        SseEmitter emitter = new SseEmitter(0L);
        Object lock = new Object();
        Map<String, LogStreams.Follow> following = new ConcurrentHashMap<>();
        AtomicInteger colours = new AtomicInteger();
        java.util.function.Consumer<Pod> attach = pod -> {
            String podName = pod.getMetadata().getName();
            if (following.size() >= MAX_WORKLOAD_PODS || following.containsKey(podName) || !started(pod)) {
                return;
            }
            int colour = colours.getAndIncrement() % 8;
            LogRequest request = new LogRequest(namespace, podName, pod.getSpec().getContainers().get(0).getName(), tailLines, timestamps, false);
            following.put(podName, streams.follow(cache.client(), request, true,
                    line -> send(emitter, lock, "line", colour + "\t" + podName + "\t" + line),
                    problem -> {
                        following.remove(podName);
                        if (problem != null) {
                            send(emitter, lock, "problem", podName + ": " + problem);
                        }
                    }));
        };
        ClusterCache.Listener listener = (kind, object) -> {
            if (kind == Kind.PODS && object instanceof Pod pod && selects(d, pod)) {
                attach.accept(pod);
            }
        };
        pods(cache, d).forEach(attach);
        cache.addListener(listener);
        Runnable stop = () -> {
            cache.removeListener(listener);
            following.values().forEach(LogStreams.Follow::close);
        };
        emitter.onCompletion(stop);
        emitter.onTimeout(stop);
        emitter.onError(t -> stop.run());
        send(emitter, lock, "hello", "");
        return emitter;
    }

    private static boolean started(Pod pod) {
        var row = pod.getStatus();
        return row != null && row.getContainerStatuses() != null && row.getContainerStatuses().stream()
                .anyMatch(c -> c.getState() != null && (c.getState().getRunning() != null || c.getState().getTerminated() != null));
    }

    static List<Pod> pods(ClusterCache cache, Deployment d) {
        List<Pod> out = new ArrayList<>();
        for (Pod p : cache.list(Kind.PODS)) {
            if (selects(d, p)) {
                out.add(p);
            }
        }
        return out;
    }

    /** The Deployment's selector (matchLabels and matchExpressions) over the pod's labels, in its namespace. */
    static boolean selects(Deployment d, HasMetadata pod) {
        if (!d.getMetadata().getNamespace().equals(pod.getMetadata().getNamespace()) || d.getSpec().getSelector() == null) {
            return false;
        }
        var sel = d.getSpec().getSelector();
        List<String> terms = new ArrayList<>();
        if (sel.getMatchLabels() != null) {
            sel.getMatchLabels().forEach((k, v) -> terms.add(k + "=" + v));
        }
        if (sel.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : sel.getMatchExpressions()) {
                String values = r.getValues() == null ? "" : String.join(",", r.getValues());
                terms.add(switch (r.getOperator()) {
                    case "In" -> r.getKey() + " in (" + values + ")";
                    case "NotIn" -> r.getKey() + " notin (" + values + ")";
                    case "Exists" -> r.getKey();
                    default -> "!" + r.getKey();
                });
            }
        }
        if (terms.isEmpty()) {
            return false;
        }
        return LabelSelector.parse(terms.stream().collect(Collectors.joining(","))).matches(pod.getMetadata().getLabels());
    }

    private static void send(SseEmitter emitter, Object lock, String event, String data) {
        synchronized (lock) {
            try {
                emitter.send(SseEmitter.event().name(event).data(data, MediaType.TEXT_PLAIN));
            } catch (IOException | IllegalStateException e) {
                emitter.completeWithError(e);
            }
        }
    }

}
