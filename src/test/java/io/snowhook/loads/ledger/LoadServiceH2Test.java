package io.snowhook.loads.ledger;

import static io.snowhook.loads.ledger.Blobs.event;
import static io.snowhook.loads.ledger.Blobs.uniqueOrders;
import static org.assertj.core.api.Assertions.assertThat;

import io.snowhook.blob.StorageAccounts;
import io.snowhook.routing.Router;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

/** The ledger on H2, the embedded default. */
@TestPropertySource(properties = "spring.datasource.url=jdbc:h2:mem:ledger-h2;DB_CLOSE_DELAY=-1")
class LoadServiceH2Test extends LoadServiceContract {

    @Test
    void keepsLoadsInTheFileDatabaseAcrossARestart(@TempDir Path dir) {
        String url = "jdbc:h2:file:" + dir.resolve("ledger").toAbsolutePath();
        IncomingBlob blob = event("ev-restart", uniqueOrders(), "0x8DCB0001", "00000000000000000000000000000001");

        Load before;
        try (ConfigurableApplicationContext first = start(url)) {
            before = first.getBean(LoadService.class).submit(List.of(blob)).get(0);
        }
        try (ConfigurableApplicationContext second = start(url)) {
            LoadService loads = second.getBean(LoadService.class);
            assertThat(loads.get(before.id())).isEqualTo(before);
            assertThat(loads.submit(List.of(blob)).get(0).id()).isEqualTo(before.id());
        }
    }

    private static ConfigurableApplicationContext start(String url) {
        return new SpringApplicationBuilder(Ledger.class)
                .web(WebApplicationType.NONE)
                .properties("spring.datasource.url=" + url, "spring.main.banner-mode=off")
                .run();
    }

    /**
     * The ledger and what it needs, started as an application of its own. A plain configuration, not a
     * {@code @SpringBootConfiguration}, so that other tests never pick it up as theirs.
     */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({
        DataSourceAutoConfiguration.class,
        DataSourceTransactionManagerAutoConfiguration.class,
        TransactionAutoConfiguration.class,
        JdbcTemplateAutoConfiguration.class,
        JdbcClientAutoConfiguration.class,
        FlywayAutoConfiguration.class
    })
    @Import({LoadService.class, LoadStore.class, Router.class, StorageAccounts.class})
    static class Ledger {}
}
