package io.snowhook.loads.work;

import io.snowhook.support.PostgresSchema;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Claiming on PostgreSQL ({@code FOR UPDATE SKIP LOCKED}), in a schema of its own dropped afterwards. */
class LoadQueuePostgresTest extends LoadQueueContract {

    static final PostgresSchema POSTGRES = new PostgresSchema("queue");

    @BeforeAll
    static void requirePostgres() {
        POSTGRES.require("claiming");
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
