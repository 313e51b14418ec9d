package dev.coracle.dashboard.web;

import dev.coracle.dashboard.access.AccessInterceptor;
import dev.coracle.dashboard.access.ClientFactory;
import dev.coracle.dashboard.access.DashboardSettings;
import dev.coracle.dashboard.access.Identity;
import dev.coracle.dashboard.cluster.ApiProblem;
import dev.coracle.dashboard.cluster.ClusterCaches;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ModelAttribute;

/** What every page's frame shows (mode, API server, the unreachable banner), and API errors shown as such. */
@ControllerAdvice
public class PageAdvice {

    private final DashboardSettings settings;
    private final ClientFactory clients;
    private final ClusterCaches caches;

    public PageAdvice(DashboardSettings settings, ClientFactory clients, ClusterCaches caches) {
        this.settings = settings;
        this.clients = clients;
        this.caches = caches;
    }

    @ModelAttribute
    void frame(Model model, HttpServletRequest request) {
        model.addAttribute("shared", settings.shared());
        model.addAttribute("apiServer", clients.serverUrl());
        model.addAttribute("path", request.getRequestURI());
        Identity identity = (Identity) request.getAttribute(AccessInterceptor.IDENTITY);
        model.addAttribute("unreachable", identity == null ? null : caches.of(identity).unreachable());
    }

    @ExceptionHandler({ApiProblem.class, KubernetesClientException.class})
    String apiProblem(RuntimeException e, Model model, HttpServletRequest request, HttpServletResponse response) {
        ApiProblem p = e instanceof ApiProblem a ? a : ApiProblem.of(e);
        frame(model, request);
        int code = p.code() == 0 ? 503 : p.code();
        response.setStatus(code >= 400 && code < 600 ? code : 502);
        model.addAttribute("code", code);
        model.addAttribute("title", switch (code) {
            case 401 -> "401 Unauthorized";
            case 403 -> "403 Forbidden";
            case 404 -> "404 Not Found";
            case 503 -> "The API server is unreachable";
            default -> code + " from the API server";
        });
        model.addAttribute("message", p.getMessage());
        return "error-page";
    }
}
