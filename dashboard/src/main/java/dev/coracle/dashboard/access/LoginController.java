package dev.coracle.dashboard.access;

import dev.coracle.dashboard.cluster.ApiProblem;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Shared mode's login: a bearer token in a form field (a POST body, never a URL), checked against the API itself.
 * 401 means the API does not know the token; 403 means it does but forbids listing namespaces — the user may still
 * see what the API lets them, so that logs in.
 */
@Controller
public class LoginController {

    private final DashboardSettings settings;
    private final ClientFactory clients;

    public LoginController(DashboardSettings settings, ClientFactory clients) {
        this.settings = settings;
        this.clients = clients;
    }

    @GetMapping("/login")
    String page(Model model) {
        if (!settings.shared()) {
            return "redirect:/";
        }
        model.addAttribute("server", clients.serverUrl());
        return "login";
    }

    @PostMapping("/login")
    String login(@RequestParam(name = "token", defaultValue = "") String token, HttpServletRequest request,
                 HttpServletResponse response, Model model) {
        if (!settings.shared()) {
            return "redirect:/";
        }
        model.addAttribute("server", clients.serverUrl());
        String t = token.trim();
        if (t.isEmpty()) {
            response.setStatus(400);
            model.addAttribute("error", "Enter a bearer token.");
            return "login";
        }
        Identity identity = Identity.bearer(t);
        try (KubernetesClient client = clients.create(identity)) {
            client.namespaces().list(new ListOptionsBuilder().withLimit(1L).build());
        } catch (RuntimeException e) {
            ApiProblem p = ApiProblem.of(e);
            if (p.code() != 403) {
                response.setStatus(p.code() == 401 ? 401 : 502);
                model.addAttribute("error", p.code() == 401
                        ? "401 Unauthorized: the API server refused this token."
                        : "The API server could not be reached: " + p.getMessage());
                return "login";
            }
        }
        HttpSession old = request.getSession(false);
        if (old != null) {
            old.invalidate();
        }
        HttpSession session = request.getSession(true);
        session.setAttribute(AccessInterceptor.IDENTITY, identity);
        return "redirect:/";
    }

    @PostMapping("/logout")
    String logout(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        return settings.shared() ? "redirect:/login" : "redirect:/";
    }
}
