package io.snowhook.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.mock.env.MockEnvironment;

/** With no credential configured snowhook is open, says so, and stays on loopback. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.datasource.url=jdbc:h2:mem:loopback-binding;DB_CLOSE_DELAY=-1")
@ExtendWith(OutputCaptureExtension.class)
class LoopbackBindingTest {

    static final SecurityProperties NONE =
            new SecurityProperties(null, null, null, null, null, null, SecurityProperties.StatusReads.OPERATOR);
    static final SecurityProperties INTAKE_ONLY = new SecurityProperties(
            "intake-token-5f1c0e7a9b", null, null, null, null, null, SecurityProperties.StatusReads.OPERATOR);

    @Autowired
    ServletWebServerApplicationContext context;

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    ManagementServers servers;

    /** Catches the management server, which runs in a child context of its own. */
    @TestConfiguration
    static class ManagementServers implements ApplicationListener<WebServerInitializedEvent> {

        volatile @Nullable WebServer management;

        @Override
        public void onApplicationEvent(WebServerInitializedEvent event) {
            if ("management".equals(event.getApplicationContext().getServerNamespace())) {
                management = event.getWebServer();
            }
        }
    }

    @Test
    void bindsTheRunningServerToLoopbackAndWarnsThatItIsOpen(CapturedOutput output) throws Exception {
        TomcatWebServer server = (TomcatWebServer) context.getWebServer();
        Object address = server.getTomcat().getConnector().getProperty("address");
        assertThat(address)
                .isInstanceOfSatisfying(
                        InetAddress.class,
                        a -> assertThat(a.isLoopbackAddress()).isTrue());

        TomcatWebServer management = (TomcatWebServer) servers.management;
        assertThat(management).isNotNull();
        assertThat(management.getTomcat().getConnector().getProperty("address"))
                .isInstanceOfSatisfying(
                        InetAddress.class,
                        a -> assertThat(a.isLoopbackAddress()).isTrue());

        HttpResponse<String> prometheus = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(prometheus.statusCode()).isEqualTo(200);
        assertThat(management.getPort()).isEqualTo(managementPort).isNotEqualTo(port);
        assertThat(output).contains("snowhook runs UNAUTHENTICATED");
    }

    @Test
    void defaultsTheAddressToLoopbackWithoutCredentials() {
        TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();

        new LoopbackBinding(NONE, new MockEnvironment()).customize(factory);

        assertThat(factory.getAddress()).isEqualTo(InetAddress.getLoopbackAddress());
    }

    @Test
    void acceptsAnExplicitLoopbackAddressWithoutCredentials() {
        TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();

        new LoopbackBinding(NONE, new MockEnvironment().withProperty("server.address", "::1")).customize(factory);

        assertThat(factory.getAddress()).isNull();
    }

    @Test
    void holdsTheManagementServerOnLoopbackByItsOwnAddressProperty() {
        TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();
        new LoopbackBinding(NONE, new MockEnvironment(), "management.server.address").customize(factory);
        assertThat(factory.getAddress()).isEqualTo(InetAddress.getLoopbackAddress());

        LoopbackBinding exposed = new LoopbackBinding(
                NONE,
                new MockEnvironment().withProperty("management.server.address", "0.0.0.0"),
                "management.server.address");
        assertThatIllegalStateException()
                .isThrownBy(() -> exposed.customize(new TomcatServletWebServerFactory()))
                .withMessageContaining("management.server.address=0.0.0.0");
    }

    @Test
    void refusesANonLoopbackAddressWithoutCredentials() {
        LoopbackBinding binding =
                new LoopbackBinding(NONE, new MockEnvironment().withProperty("server.address", "0.0.0.0"));

        assertThatIllegalStateException()
                .isThrownBy(() -> binding.customize(new TomcatServletWebServerFactory()))
                .withMessageContaining("server.address=0.0.0.0")
                .withMessageContaining("snowhook.security.intake-token");
    }

    @Test
    void leavesTheAddressAloneOnceACredentialIsSet() {
        TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();

        new LoopbackBinding(INTAKE_ONLY, new MockEnvironment().withProperty("server.address", "0.0.0.0"))
                .customize(factory);
        new LoopbackBinding(INTAKE_ONLY, new MockEnvironment()).customize(factory);

        assertThat(factory.getAddress()).isNull();
    }
}
