package dev.coracle.dashboard.access;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;

import java.net.URI;

/**
 * Who is asking: in local mode always the kubeconfig's user; in shared mode the token saved in the session by the
 * login page, or a redirect to it (a 401 for the live streams, which cannot follow a redirect).
 */
@Component
public class AccessInterceptor implements HandlerInterceptor {

    public static final String IDENTITY = "coracle.identity";

    private final DashboardSettings settings;

    public AccessInterceptor(DashboardSettings settings) {
        this.settings = settings;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) throws Exception {
        if (!settings.shared()) {
            request.setAttribute(IDENTITY, Identity.LOCAL);
            return true;
        }
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod()) && !sameOrigin(request)) {
            // SameSite=Strict already keeps the cookie off cross-site posts; refusing foreign Origins is the belt to those braces
            response.sendError(HttpServletResponse.SC_FORBIDDEN, "cross-origin request refused");
            return false;
        }
        HttpSession session = request.getSession(false);
        Identity identity = session == null ? null : (Identity) session.getAttribute(IDENTITY);
        if (identity == null) {
            String accept = request.getHeader("Accept");
            if ((accept != null && accept.contains("text/event-stream")) || request.getHeader("X-Live") != null) {
                response.sendError(HttpServletResponse.SC_UNAUTHORIZED);
            } else {
                response.sendRedirect(request.getContextPath() + "/login");
            }
            return false;
        }
        request.setAttribute(IDENTITY, identity);
        return true;
    }

    static boolean sameOrigin(HttpServletRequest request) {
        String origin = request.getHeader("Origin");
        if (origin == null || origin.equals("null")) {
            return origin == null;
        }
        try {
            URI o = URI.create(origin);
            String host = request.getHeader("Host");
            return host != null && host.equalsIgnoreCase(o.getAuthority());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
