package io.snowhook.loads.ledger;

import io.snowhook.support.PostgresSchema;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Purging on PostgreSQL (batches skip locked rows), in a schema of its own dropped afterwards. */
class LoadPurgePostgresTest extends LoadPurgeContract {

    static final PostgresSchema POSTGRES = new PostgresSchema("purge");

    @BeforeAll
    static void requirePostgres() {
        POSTGRES.require("purging");
    }

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        POSTGRES.register(registry);
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        POSTGRES.drop();
    }
}
