package io.snowhook.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.snowhook.loads.ledger.IncomingBlob;
import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadOrigin;
import io.snowhook.loads.ledger.LoadService;
import io.snowhook.loads.ledger.LoadStatus;
import io.snowhook.support.AzuriteServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/** Sweeps on the H2 ledger, the embedded default. */
@TestPropertySource(properties = "spring.datasource.url=jdbc:h2:mem:sweep-ledger-h2;DB_CLOSE_DELAY=-1")
class SweepLedgerH2Test extends SweepLedgerContract {

    static final String CONTAINER = "sweep-ledger-h2";

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        AzuriteServer.register(registry, CONTAINER);
    }

    @Override
    String container() {
        return CONTAINER;
    }

    /**
     * A blob whose event came before its route existed was recorded SKIPPED; once the route is configured
     * (and the service restarted on the same ledger), a sweep of its prefix queues it.
     */
    @Test
    void backfillsBlobsSkippedForNoRouteOnceTheirRouteExists(@TempDir Path dir) {
        String url = "jdbc:h2:file:" + dir.resolve("ledger").toAbsolutePath();
        String blob = "returns/" + UUID.randomUUID() + "/2026-11-23.csv";
        String etag = azurite.upload(CONTAINER, blob, "order_id\nr-1\n".getBytes(StandardCharsets.UTF_8));
        IncomingBlob event = new IncomingBlob(
                "ev-" + UUID.randomUUID(),
                "Microsoft.Storage.BlobCreated",
                "PutBlockList",
                AzuriteServer.ACCOUNT,
                CONTAINER,
                blob,
                etag,
                "00000000000004420000000000028961",
                13L,
                "text/csv",
                null,
                Instant.now(),
                null);

        Load skipped;
        try (ConfigurableApplicationContext before = start(url)) {
            skipped = before.getBean(LoadService.class).submit(List.of(event)).get(0);
        }
        assertThat(skipped.status()).isEqualTo(LoadStatus.SKIPPED);
        assertThat(skipped.reason()).isEqualTo(LoadService.NO_ROUTE_REASON);

        try (ConfigurableApplicationContext after = start(
                url,
                // the shipped routes, and the new one
                "snowhook.routes[0].prefix=inventory/",
                "snowhook.routes[0].table=INVENTORY",
                "snowhook.routes[1].prefix=orders/",
                "snowhook.routes[1].table=ORDERS",
                "snowhook.routes[2].prefix=returns/",
                "snowhook.routes[2].table=RETURNS")) {
            SweepService sweeps = after.getBean(SweepService.class);
            LoadService loads = after.getBean(LoadService.class);
            Sweep sweep = sweeps.request(new SweepService.Request(null, CONTAINER, "returns/", null));
            await().atMost(PATIENCE).until(() -> sweeps.get(sweep.id()).status() != SweepStatus.RUNNING);

            List<Load> of = loads.find(null, null, blob, null, 0, 10).loads();
            assertThat(of).hasSize(2);
            assertThat(of)
                    .filteredOn(l -> l.origin() == LoadOrigin.SWEEP)
                    .singleElement()
                    .satisfies(l -> {
                        assertThat(l.status()).isEqualTo(LoadStatus.QUEUED);
                        assertThat(l.table()).isEqualTo("RETURNS");
                        assertThat(l.etag()).isEqualTo(etag);
                    });
            assertThat(loads.get(skipped.id()).status()).isEqualTo(LoadStatus.SKIPPED);
        }
    }

    private static ConfigurableApplicationContext start(String url, String... more) {
        List<String> properties = new ArrayList<>(List.of(
                "spring.datasource.url=" + url, "spring.main.banner-mode=off", "snowhook.sweep.poll-interval=200ms"));
        azurite.properties(List.of(CONTAINER)).forEach((key, value) -> properties.add(key + "=" + value));
        properties.addAll(List.of(more));
        // command-line arguments: they win over application.yml, as the environment does in production
        return new SpringApplicationBuilder(Ledger.class)
                .web(WebApplicationType.NONE)
                .run(properties.stream().map(p -> "--" + p).toArray(String[]::new));
    }
}
