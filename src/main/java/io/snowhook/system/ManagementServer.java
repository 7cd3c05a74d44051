package io.snowhook.system;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * The actuator's own server ({@code management.server.port}, 8081 by default): its own Tomcat and threads,
 * so health probes never queue behind application traffic. Bound like the application port — loopback
 * when no credential is configured — and with the same problem-detail answers to Tomcat's rejections. The
 * security chain applies here too (Spring Boot registers it in the management context), so everything
 * but health needs the operator credential.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
class ManagementServer {

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> snowhookManagementServer(
            SecurityProperties security, Environment environment) {
        LoopbackBinding binding = new LoopbackBinding(security, environment, "management.server.address");
        TomcatHardening hardening = new TomcatHardening();
        return new Customizer(binding, hardening);
    }

    /** After Spring Boot's management customizer has applied {@code management.server.*}. */
    private record Customizer(LoopbackBinding binding, TomcatHardening hardening)
            implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            binding.customize(factory);
            hardening.customize(factory);
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
