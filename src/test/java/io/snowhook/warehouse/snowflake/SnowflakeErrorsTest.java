package io.snowhook.warehouse.snowflake;

import static org.assertj.core.api.Assertions.assertThat;

import io.snowhook.system.TransientFailure;
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
    void aSessionThatIsGoneIsTransientAndMarkedForEviction() {
        for (int code : new int[] {390111, 390112, 390113, 390114, 390115}) {
            assertThat(classify("Session no longer exists.", "08001", code))
                    .as("code %d", code)
                    .isInstanceOf(SnowflakeErrors.SessionGone.class)
                    .isInstanceOf(TransientFailure.class);
        }
    }

    @Test
    void aMissingDatabaseOrAForbiddenAddressIsPermanentDespiteItsConnectionState() {
        assertThat(classify("The requested warehouse does not exist or not authorized.", "08004", 390201))
                .isNotInstanceOf(TransientFailure.class)
                .isInstanceOf(WarehouseFailure.class)
                .hasMessageContaining("snowhook.warehouse.snowflake.database, schema, warehouse");
        assertThat(classify("IP 10.0.0.1 is not allowed to access Snowflake.", "08004", 390420))
                .isNotInstanceOf(TransientFailure.class)
                .isInstanceOf(WarehouseFailure.class)
                .hasMessageContaining("network policy");
    }

    @Test
    void failedStageUploadsAreTransient() {
        assertThat(classify("Azure storage operation failed", "58000", 200044)).isInstanceOf(TransientFailure.class);
        assertThat(classify("Failed to upload file", "58000", 253000)).isInstanceOf(TransientFailure.class);
        assertThat(classify("S3 operation failed", "58000", 200013)).isInstanceOf(TransientFailure.class);
        assertThat(classify("AWS client error", "58000", 200020)).isInstanceOf(TransientFailure.class);
    }

    @Test
    void theDataExceptionStateIsNotBadDataByItself() {
        assertThat(classify("Failure using stage area.", "22000", 91003))
                .isNotInstanceOf(FileRejected.class)
                .isNotInstanceOf(TransientFailure.class)
                .hasMessageContaining("storage integration");
        assertThat(classify("Warehouse cannot be resumed: resource monitor exceeded its quota.", "22000", 90073))
                .isNotInstanceOf(FileRejected.class)
                .isInstanceOf(TransientFailure.class);
        assertThat(classify("Remote file 'x.csv' was not found.", "22000", 91016))
                .isInstanceOf(SnowflakeErrors.RemoteFileNotFound.class)
                .isNotInstanceOf(FileRejected.class);
        assertThat(classify("Numeric value 'x' is not recognized", "22018", 100038))
                .isInstanceOf(FileRejected.class);
        assertThat(classify("End of record reached while expected to parse column", "22000", 100183))
                .isInstanceOf(FileRejected.class);
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
