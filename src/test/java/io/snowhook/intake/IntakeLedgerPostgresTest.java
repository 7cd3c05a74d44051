package io.snowhook.intake;

import io.snowhook.support.PostgresSchema;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Intake into the ledger on PostgreSQL, in a schema of its own dropped afterwards. */
class IntakeLedgerPostgresTest extends IntakeLedgerContract {

    static final PostgresSchema POSTGRES = new PostgresSchema("intake");

    @BeforeAll
    static void requirePostgres() {
        POSTGRES.require("intake into the ledger");
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
