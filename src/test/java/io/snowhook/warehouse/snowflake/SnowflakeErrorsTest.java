package io.snowhook.warehouse.snowflake;

import static org.assertj.core.api.Assertions.assertThat;

import io.snowhook.warehouse.FileRejected;
import io.snowhook.warehouse.WarehouseFailure;
import io.snowhook.warehouse.WarehouseUnavailable;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class SnowflakeErrorsTest {

    static RuntimeException classify(String message, String state, int code) {
        return SnowflakeErrors.classify("COPY", new SQLException(message, state, code));
    }

    @Test
    void sessionExpiryIsTransient() {
        assertThat(classify("Your session has expired.", "08001", 390112)).isInstanceOf(WarehouseUnavailable.class);
        assertThat(classify("Master token expired.", "08001", 390114)).isInstanceOf(WarehouseUnavailable.class);
    }

    @Test
    void refusedAuthenticationIsPermanent() {
        assertThat(classify("Incorrect username or password was specified.", "08004", 390100))
                .isInstanceOf(WarehouseFailure.class)
                .hasMessageContaining("authentication refused");
        assertThat(classify("JWT token is invalid.", "08004", 390144)).isInstanceOf(WarehouseFailure.class);
    }

    @Test
    void networkAndServerErrorsAreTransient() {
        assertThat(classify("JDBC driver encountered communication error. HTTP status=503", "08001", 200002))
                .isInstanceOf(WarehouseUnavailable.class);
        assertThat(classify("network error", "58030", 200015)).isInstanceOf(WarehouseUnavailable.class);
        SQLException io = new SQLException("wrapped", null, 0, new SocketTimeoutException("read timed out"));
        assertThat(SnowflakeErrors.classify("COPY", io)).isInstanceOf(WarehouseUnavailable.class);
    }

    @Test
    void aBusyOrSuspendedWarehouseIsTransient() {
        assertThat(classify("Statement reached its statement or warehouse timeout of 60 second(s)", "57014", 630))
                .isInstanceOf(WarehouseUnavailable.class);
        assertThat(classify("SQL execution canceled", "57014", 604)).isInstanceOf(WarehouseUnavailable.class);
    }

    @Test
    void aPoolTimeoutIsTransientUnlessItsCauseIsARefusedLogin() {
        SQLException timeout = new SQLTransientConnectionException("Connection is not available");
        assertThat(SnowflakeErrors.classify("connect", timeout)).isInstanceOf(WarehouseUnavailable.class);

        SQLException refused = new SQLTransientConnectionException(
                "Connection is not available", "08001", new SQLException("Incorrect password", "08004", 390100));
        assertThat(SnowflakeErrors.classify("connect", refused))
                .isInstanceOf(WarehouseFailure.class)
                .isNotInstanceOf(WarehouseUnavailable.class);
    }

    @Test
    void compilationErrorsAndMissingObjectsArePermanent() {
        assertThat(classify("SQL compilation error:\nsyntax error", "42000", 1003))
                .isInstanceOf(WarehouseFailure.class)
                .hasMessageContaining("SQL compilation error: syntax error [code 1003, SQLState 42000]");
        assertThat(classify("Object 'ORDERS' does not exist or not authorized.", "02000", 2003))
                .isInstanceOf(WarehouseFailure.class);
        assertThat(classify("No active warehouse selected in the current session.", "57P03", 606))
                .isNotInstanceOf(WarehouseUnavailable.class)
                .hasMessageContaining("snowhook.warehouse.snowflake.warehouse");
    }

    @Test
    void dataErrorsRejectTheFileWithLineAndColumn() {
        RuntimeException e = classify(
                "Numeric value 'abc' is not recognized\n  File 'data.csv.gz', line 3, character 12\n"
                        + "  Row 2, column \"ORDERS\"[\"QUANTITY\":4]",
                "22018",
                100038);

        assertThat(e).isInstanceOfSatisfying(FileRejected.class, rejected -> {
            assertThat(rejected.getMessage()).isEqualTo("Numeric value 'abc' is not recognized");
            assertThat(rejected.line()).isEqualTo(3L);
            assertThat(rejected.column()).isEqualTo("\"ORDERS\"[\"QUANTITY\":4]");
        });
    }

    @Test
    void driverSideDataStatesAreNotMistakenForBadData() {
        assertThat(classify("File not found", "22000", 200008)).isInstanceOf(WarehouseFailure.class);
        assertThat(SnowflakeErrors.classify("x", new SQLException("io", "58030", 200016, new IOException())))
                .isInstanceOf(WarehouseUnavailable.class);
    }
}
