package io.snowhook.sweep;

import io.snowhook.support.AzuriteServer;
import io.snowhook.support.PostgresSchema;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Sweeps on the PostgreSQL ledger, in a schema of its own dropped afterwards. */
class SweepLedgerPostgresTest extends SweepLedgerContract {

    static final PostgresSchema POSTGRES = new PostgresSchema("sweeps");
    static final String CONTAINER = "sweep-ledger-pg";

    @BeforeAll
    static void requirePostgres() {
        POSTGRES.require("sweep ledger");
    }

    @DynamicPropertySource
    static void ledgerAndStorage(DynamicPropertyRegistry registry) {
        POSTGRES.register(registry);
        AzuriteServer.register(registry, CONTAINER);
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        POSTGRES.drop();
    }

    @Override
    String container() {
        return CONTAINER;
    }
}
