package dev.coracle.server.discovery;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /version}. kubectl's dispatcher picks its build by the minor version it reads here, so
 * this names the Kubernetes API level Coracle serves.
 */
@RestController
public class VersionController {

    public static final String GIT_VERSION = "v1.32.0-coracle";

    @GetMapping(path = "/version", produces = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, String> version() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("major", "1");
        v.put("minor", "32");
        v.put("gitVersion", GIT_VERSION);
        v.put("gitCommit", "coracle");
        v.put("gitTreeState", "clean");
        v.put("buildDate", "2026-11-27T00:00:00Z");
        v.put("goVersion", "java" + System.getProperty("java.version"));
        v.put("compiler", "javac");
        v.put("platform", System.getProperty("os.name").toLowerCase() + "/" + arch());
        return v;
    }

    private static String arch() {
        String a = System.getProperty("os.arch");
        return a.equals("x86_64") || a.equals("amd64") ? "amd64" : a.equals("aarch64") ? "arm64" : a;
    }
}
