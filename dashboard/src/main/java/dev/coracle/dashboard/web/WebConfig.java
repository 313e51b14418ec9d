package dev.coracle.dashboard.web;

import dev.coracle.dashboard.access.AccessInterceptor;
import dev.coracle.dashboard.access.Identity;
import dev.coracle.dashboard.cluster.ClusterCache;
import dev.coracle.dashboard.cluster.ClusterCaches;
import dev.coracle.dashboard.metrics.Metrics;
import dev.coracle.dashboard.metrics.MetricsSource;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import java.util.List;

/** Access checks on every page, and the caller's {@link ClusterCache} / {@link MetricsSource} as handler arguments. */
@Configuration
public class WebConfig implements WebMvcConfigurer {

    private final AccessInterceptor access;
    private final ClusterCaches caches;
    private final Metrics metrics;

    public WebConfig(AccessInterceptor access, ClusterCaches caches, Metrics metrics) {
        this.access = access;
        this.caches = caches;
        this.metrics = metrics;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(access).excludePathPatterns("/login", "/css/**", "/js/**", "/favicon.ico", "/error", "/actuator/**");
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(new HandlerMethodArgumentResolver() {
            @Override
            public boolean supportsParameter(MethodParameter p) {
                Class<?> t = p.getParameterType();
                return t == ClusterCache.class || t == Identity.class || t == MetricsSource.class;
            }

            @Override
            public Object resolveArgument(MethodParameter p, ModelAndViewContainer mav, NativeWebRequest request, WebDataBinderFactory binders) {
                Identity identity = (Identity) request.getAttribute(AccessInterceptor.IDENTITY, RequestAttributes.SCOPE_REQUEST);
                if (identity == null) {
                    throw new IllegalStateException("no identity on " + request.getDescription(false));
                }
                Class<?> t = p.getParameterType();
                if (t == Identity.class) {
                    return identity;
                }
                return t == ClusterCache.class ? caches.of(identity) : metrics.of(identity);
            }
        });
    }
}
