package dev.coracle.dashboard.web;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.FlashMap;
import org.springframework.web.servlet.support.SessionFlashMapManager;

import java.util.List;

/**
 * An action's "scaled to 3" message is for the page the browser is redirected to. A live refresh of the same page
 * (the {@code X-Live} fetch of live.js) may arrive first; it must not consume the message.
 */
@Component("flashMapManager")
public class LiveAwareFlashMapManager extends SessionFlashMapManager {

    @Override
    protected List<FlashMap> retrieveFlashMaps(HttpServletRequest request) {
        return request.getHeader("X-Live") != null ? null : super.retrieveFlashMaps(request);
    }
}
