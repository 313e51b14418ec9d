package dev.coracle.server.bootstrap;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * Each server owns its Netty event loops. Spring Boot's default factory uses Reactor Netty's global
 * loops and disposes them when its context closes, which would stop every other server in the same
 * JVM (the tests run several; an embedded control plane could too).
 */
@Configuration(proxyBeanMethods = false)
class NettyResources {

    @Bean
    ReactorResourceFactory reactorResourceFactory() {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        return factory;
    }
}
