package dev.coracle.dashboard.web;

import dev.coracle.dashboard.cluster.ClusterCache;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/** The live-update stream a page opens: {@code GET /live?kinds=pods,replicasets} (text/event-stream). */
@RestController
public class LiveController {

    private final LiveUpdates live;

    public LiveController(LiveUpdates live) {
        this.live = live;
    }

    @GetMapping(path = "/live", produces = "text/event-stream")
    SseEmitter live(@RequestParam(defaultValue = "") String kinds, ClusterCache cache) {
        Set<String> wanted = Arrays.stream(kinds.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
        return live.subscribe(cache, wanted);
    }
}
