package io.snowhook.loads;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Claiming on PostgreSQL ({@code FOR UPDATE SKIP LOCKED}), in a schema of its own dropped afterwards.
 * Without a reachable server this fails on CI ({@code CI=true}) and is skipped, saying why, elsewhere.
 */
class LoadQueuePostgresTest extends LoadQueueContract {

    static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";
    static final String USER = "postgres";
    static final String SCHEMA = "queue_" + UUID.randomUUID().toString().replace("-", "");

    @BeforeAll
    static void requirePostgres() {
        try (Connection c = DriverManager.getConnection(SERVER + "?connectTimeout=5", USER, "")) {
            c.isValid(5);
        } catch (SQLException e) {
            String why = "PostgreSQL is not reachable at " + SERVER + " as user " + USER + ": " + e.getMessage();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + " (CI=true: the PostgreSQL claiming tests must run)");
            }
            Assumptions.abort(why + " (skipped locally; on CI, with CI=true, this fails)");
        }
    }

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> SERVER + "?currentSchema=" + SCHEMA);
        registry.add("spring.datasource.username", () -> USER);
        registry.add("spring.datasource.password", () -> "");
        registry.add("spring.flyway.schemas", () -> SCHEMA);
        registry.add("spring.flyway.create-schemas", () -> "true");
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, USER, "");
                Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        }
    }
}
