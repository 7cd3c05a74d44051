package io.snowhook.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.support.TestPropertySourceUtils;

/**
 * The whole service on its embedded defaults, for tests that need all of it: a server on a random loopback port (and
 * {@code MockMvcTester} beside it), the actuator on the same port, two workers with short retries, and — per
 * context — its own H2 ledger, its own DuckDB warehouse folder and the shared Azurite with the containers {@link
 * #CONTAINERS}. Every test class carrying only this annotation shares one Spring context (the test context cache
 * keys on the configuration, which is the same); a class that adds properties ({@code @TestPropertySource}) shares
 * the context of every class adding the same ones. Add as few as the test needs; common sets are here as constants.
 *
 * <p>The ledger and the warehouse are shared by the classes of one context: tests use blob names of their own (a
 * random factory id) and never assume an empty table or ledger.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "server.address=127.0.0.1",
            // MockMvc reaches only the main server: the actuator is served beside the API (HostileClientsTest and
            // LoopbackBindingTest cover the management port)
            "management.server.port=",
            "snowhook.loads.workers=2",
            "snowhook.loads.poll-interval=100ms",
            "snowhook.loads.retry.initial-delay=10ms",
            "snowhook.loads.retry.max-delay=50ms",
            "snowhook.sweep.page-size=8",
            "snowhook.sweep.poll-interval=200ms",
            "snowhook.routes[0].prefix=inventory/",
            "snowhook.routes[0].table=INVENTORY",
            "snowhook.routes[0].mode=replace",
            "snowhook.routes[1].prefix=orders/",
            "snowhook.routes[1].table=ORDERS",
            "snowhook.routes[2].prefix=orders-json/",
            "snowhook.routes[2].table=ORDERS",
            "snowhook.routes[2].format=json",
            "snowhook.routes[3].prefix=orders-parquet/",
            "snowhook.routes[3].table=ORDERS",
            "snowhook.routes[3].format=parquet"
        })
@AutoConfigureMockMvc
@ContextConfiguration(initializers = SnowhookTest.Embedded.class)
public @interface SnowhookTest {

    /** The Azurite containers the service may read: the default one and the one sweeps are tested on. */
    List<String> CONTAINERS = List.of(AzuriteServer.DEFAULT_CONTAINER, "sweep-e2e");

    String INTAKE_TOKEN = "intake-token-5f1c0e7a9b";
    String INTAKE_USERNAME = "argo";
    String INTAKE_PASSWORD = "intake-password-d41d8cd9";
    String OPERATOR_TOKEN = "operator-token-8e2a91c4f0";
    String OPERATOR_USERNAME = "ops";
    String OPERATOR_PASSWORD = "operator-password-0cc175b9";

    /** Add with {@code @TestPropertySource(properties = …)}: an intake-only replica, nothing is loaded. */
    String NO_WORKERS = "snowhook.loads.workers=0";

    /**
     * Add with {@code @TestPropertySource(properties = …)}: every credential configured (one property per line, as
     * {@code @TestPropertySource} reads a multi-line entry).
     */
    String CREDENTIALS = "snowhook.security.intake-token=" + INTAKE_TOKEN
            + "\nsnowhook.security.intake-username=" + INTAKE_USERNAME
            + "\nsnowhook.security.intake-password=" + INTAKE_PASSWORD
            + "\nsnowhook.security.operator-token=" + OPERATOR_TOKEN
            + "\nsnowhook.security.operator-username=" + OPERATOR_USERNAME
            + "\nsnowhook.security.operator-password=" + OPERATOR_PASSWORD;

    /**
     * Gives each context its own ledger and warehouse files and points storage at the shared Azurite. Its values rank
     * just below the test's own properties, so a test class can still override any of them.
     */
    final class Embedded implements ApplicationContextInitializer<ConfigurableApplicationContext> {

        @Override
        public void initialize(ConfigurableApplicationContext context) {
            AzuriteServer azurite = AzuriteServer.shared();
            CONTAINERS.forEach(azurite::createContainer);
            Path dir = TestFiles.tempDir("snowhook-test");
            Map<String, Object> properties = new LinkedHashMap<>(azurite.properties(CONTAINERS));
            properties.put("spring.datasource.url", "jdbc:h2:mem:snowhook-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            properties.put(
                    "snowhook.warehouse.duckdb.path",
                    dir.resolve("warehouse.duckdb").toString());
            properties.put(
                    "snowhook.warehouse.duckdb.stage", dir.resolve("stage").toString());
            MutablePropertySources sources = context.getEnvironment().getPropertySources();
            MapPropertySource embedded = new MapPropertySource("snowhook-test-embedded", properties);
            String inlined = TestPropertySourceUtils.INLINED_PROPERTIES_PROPERTY_SOURCE_NAME;
            if (sources.contains(inlined)) {
                sources.addAfter(inlined, embedded);
            } else {
                sources.addFirst(embedded);
            }
        }
    }
}
