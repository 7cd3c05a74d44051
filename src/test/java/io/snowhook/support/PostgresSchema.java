package io.snowhook.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A schema of its own on the machine's PostgreSQL (127.0.0.1:5432, database {@code test}, trust auth) for one
 * test class, so runs in parallel never collide; dropped afterwards. Without a reachable server the test
 * fails on CI ({@code CI=true}) and is skipped, saying why, elsewhere.
 */
public final class PostgresSchema {

    public static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";
    public static final String USER = "postgres";

    private final String schema;
    private boolean reachable;

    public PostgresSchema(String prefix) {
        this.schema = prefix + "_" + UUID.randomUUID().toString().replace("-", "");
    }

    /** Call from {@code @BeforeAll}; {@code what} names the tests in the failure message. */
    public void require(String what) {
        try (Connection c = DriverManager.getConnection(SERVER + "?connectTimeout=5", USER, "")) {
            reachable = c.isValid(5);
        } catch (SQLException e) {
            String why = "PostgreSQL is not reachable at " + SERVER + " as user " + USER + ": " + e.getMessage();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + " (CI=true: the PostgreSQL " + what + " tests must run)");
            }
            Assumptions.abort(why + " (skipped locally; on CI, with CI=true, this fails)");
        }
    }

    /** Call from a {@code @DynamicPropertySource} method: the load store and Flyway use this schema. */
    public void register(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> SERVER + "?currentSchema=" + schema);
        registry.add("spring.datasource.username", () -> USER);
        registry.add("spring.datasource.password", () -> "");
        registry.add("spring.flyway.schemas", () -> schema);
        registry.add("spring.flyway.create-schemas", () -> "true");
    }

    /** Call from {@code @AfterAll}. */
    public void drop() throws SQLException {
        if (!reachable) {
            return;
        }
        try (Connection c = DriverManager.getConnection(SERVER, USER, "");
                Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
