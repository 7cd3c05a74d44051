package io.snowhook.system;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.server.ConfigurableWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Keeps an unauthenticated snowhook off the network. With no credential configured, the server binds to
 * 127.0.0.1 unless {@code server.address} is set (the management server likewise, by {@code
 * management.server.address}: see {@link ManagementServer}); an explicit non-loopback {@code server.address}
 * without credentials stops the start-up. Refusing (rather than quietly binding to loopback anyway) makes
 * the mistake visible where it is made — a container started without its secret fails at once, instead of
 * running and failing every probe.
 */
@Component
@EnableConfigurationProperties(SecurityProperties.class)
class LoopbackBinding implements WebServerFactoryCustomizer<ConfigurableWebServerFactory>, Ordered {

    private final SecurityProperties properties;
    private final Environment environment;
    private final String addressProperty;

    @Autowired
    LoopbackBinding(SecurityProperties properties, Environment environment) {
        this(properties, environment, "server.address");
    }

    /** For the management server: the same rule on {@code management.server.address}. */
    LoopbackBinding(SecurityProperties properties, Environment environment, String addressProperty) {
        this.properties = properties;
        this.environment = environment;
        this.addressProperty = addressProperty;
    }

    @Override
    public void customize(ConfigurableWebServerFactory factory) {
        if (!properties.open()) {
            return;
        }
        String address = environment.getProperty(addressProperty);
        if (address == null || address.isBlank()) {
            factory.setAddress(InetAddress.getLoopbackAddress());
            return;
        }
        if (!isLoopback(address)) {
            throw new IllegalStateException(addressProperty + "=" + address
                    + " is not a loopback address and no credential is configured: set"
                    + " snowhook.security.intake-token and snowhook.security.operator-token (or the -username/-password"
                    + " pairs), or bind to 127.0.0.1");
        }
    }

    private static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** After Spring Boot's own customizer has applied {@code server.*}. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
