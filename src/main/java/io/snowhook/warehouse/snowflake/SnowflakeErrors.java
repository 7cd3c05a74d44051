package io.snowhook.warehouse.snowflake;

import io.snowhook.warehouse.FileRejected;
import io.snowhook.warehouse.WarehouseFailure;
import io.snowhook.warehouse.WarehouseUnavailable;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Sorts Snowflake and driver errors into what the worker should do: retry ({@link WarehouseUnavailable}), fail
 * the file ({@link FileRejected}) or fail for good ({@link WarehouseFailure}). Codes are Snowflake's vendor
 * codes ({@link SQLException#getErrorCode()}) and SQLStates, as documented for the service and the JDBC driver.
 */
final class SnowflakeErrors {

    /** Session token (390112) or master token (390114) expired: a new session fixes it. */
    private static final Set<Integer> SESSION_EXPIRED = Set.of(390112, 390114);

    /** Driver-side codes for a failed round trip: connection error, network error, I/O error, bad response. */
    private static final Set<Integer> DRIVER_TRANSIENT = Set.of(200002, 200015, 200016, 200022);

    /**
     * Service codes of a statement stopped by the warehouse, not by its text: canceled (000604), statement or
     * queue timeout — a suspended or overloaded warehouse (000630), lock wait timeout (000625).
     */
    private static final Set<Integer> WAREHOUSE_BUSY = Set.of(604, 625, 630);

    /** No usable warehouse in the session (000606): it does not exist or the role may not use it — configuration. */
    private static final int NO_WAREHOUSE = 606;

    private static final Pattern LINE = Pattern.compile("line (\\d+)");
    private static final Pattern COLUMN = Pattern.compile("column (\\S+)");

    private SnowflakeErrors() {}

    /** The exception the port promises for {@code e}, raised while doing {@code what}. */
    static RuntimeException classify(String what, SQLException e) {
        SQLException cause = snowflakeCause(e);
        int code = cause.getErrorCode();
        String state = cause.getSQLState() == null ? "" : cause.getSQLState();
        String message = what + " failed: " + describe(cause);
        if (SESSION_EXPIRED.contains(code)) {
            return new WarehouseUnavailable(message + " (session expired)", e);
        }
        if (code >= 390100 && code <= 390199) {
            return new WarehouseFailure(message + " (authentication refused)", e);
        }
        if (code == NO_WAREHOUSE) {
            return new WarehouseFailure(message + " (check snowhook.warehouse.snowflake.warehouse and its grants)", e);
        }
        if (DRIVER_TRANSIENT.contains(code) || WAREHOUSE_BUSY.contains(code)) {
            return new WarehouseUnavailable(message, e);
        }
        if (state.startsWith("08") || state.startsWith("57")) {
            return new WarehouseUnavailable(message, e);
        }
        if ((code >= 100000 && code < 101000) || (state.startsWith("22") && code > 0 && code < 200000)) {
            return rejected(cause.getMessage());
        }
        if (code == 0 && (e instanceof SQLTransientException || hasIoCause(e))) {
            return new WarehouseUnavailable(message, e);
        }
        if (hasIoCause(e) && code >= 200000) {
            return new WarehouseUnavailable(message, e);
        }
        return new WarehouseFailure(message, e);
    }

    /** A data error raised by the statement itself (ON_ERROR = ABORT_STATEMENT): message, line and column. */
    static FileRejected rejected(@Nullable String message) {
        String text = message == null ? "data error" : message.strip();
        Matcher line = LINE.matcher(text);
        Matcher column = COLUMN.matcher(text);
        return new FileRejected(
                text.lines().findFirst().orElse(text),
                line.find() ? Long.valueOf(line.group(1)) : null,
                column.find() ? column.group(1) : null);
    }

    /** The Snowflake error behind a pool or wrapper exception, when there is one. */
    private static SQLException snowflakeCause(SQLException e) {
        Throwable t = e;
        SQLException best = e;
        while (t != null) {
            if (t instanceof SQLException sql && sql.getErrorCode() != 0) {
                return sql;
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return best;
    }

    private static boolean hasIoCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private static String describe(SQLException e) {
        String text = e.getMessage() == null
                ? e.getClass().getSimpleName()
                : e.getMessage().strip();
        String oneLine = String.join(" ", text.lines().map(String::strip).toList());
        return oneLine + " [code " + e.getErrorCode() + ", SQLState " + e.getSQLState() + "]";
    }
}
