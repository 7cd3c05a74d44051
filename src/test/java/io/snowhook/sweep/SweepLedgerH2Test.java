package io.snowhook.sweep;

import io.snowhook.support.AzuriteServer;
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
}
