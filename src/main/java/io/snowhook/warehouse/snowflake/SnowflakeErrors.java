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
 * Sorts Snowflake and driver errors into what the worker should do: retry ({@link WarehouseUnavailable}, the
 * adapter's {@link io.snowhook.system.TransientFailure}), fail the file ({@link FileRejected}) or fail for good
 * ({@link WarehouseFailure}). Codes are Snowflake's vendor codes ({@link SQLException#getErrorCode()}): the
 * service's as documented in its error reference, the driver's from {@code net.snowflake.client.api.exception
 * .ErrorCode} (snowflake-jdbc 4.4). SQLStates alone are too coarse: 22000 covers bad data, a stage Snowflake may not
 * read and a resource monitor's quota; 08004 covers a wrong password and a missing database.
 */
final class SnowflakeErrors {

    /**
     * The session is gone (390111 no longer exists, 390112 expired, 390113 token invalid, 390114 master token
     * expired, 390115 master token invalid): a new login on a fresh connection fixes it.
     */
    private static final Set<Integer> SESSION_GONE = Set.of(390111, 390112, 390113, 390114, 390115);

    /** 390201: the database, schema or warehouse of the connection does not exist or the role may not use it. */
    private static final int OBJECT_DOES_NOT_EXIST = 390201;

    /** 390420: a network policy does not allow this client's IP address. */
    private static final int IP_NOT_ALLOWED = 390420;

    /**
     * Driver-side codes for a failed round trip: connection error (200002), network error (200015), I/O error
     * (200016), bad response (200022), and failed stage uploads — Azure service error (200044), file transfer
     * error (253000), S3 operation / AWS client error (200013 / 200020).
     */
    private static final Set<Integer> DRIVER_TRANSIENT =
            Set.of(200002, 200015, 200016, 200022, 200044, 253000, 200013, 200020);

    /**
     * Service codes of a statement stopped by the warehouse, not by its text: canceled (000604), statement or
     * queue timeout — a suspended or overloaded warehouse (000630), too many statements waiting on a table lock
     * (000625).
     */
    private static final Set<Integer> WAREHOUSE_BUSY = Set.of(604, 625, 630);

    /** 090073: the warehouse's resource monitor quota is used up; loading resumes when it resets or is raised. */
    private static final int QUOTA_EXCEEDED = 90073;

    /** 091003: Snowflake could not read or write the stage's storage (storage integration, role assignment). */
    private static final int STAGE_ACCESS_FAILED = 91003;

    /** 091016: a {@code FILES = (…)} entry is not in the stage. */
    static final int REMOTE_FILE_NOT_FOUND = 91016;

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
        if (SESSION_GONE.contains(code)) {
            return new SessionGone(message + " (session gone; logging in again)", e);
        }
        if (code == OBJECT_DOES_NOT_EXIST) {
            return new WarehouseFailure(
                    message + " (check snowhook.warehouse.snowflake.database, schema, warehouse and the role's grants)",
                    e);
        }
        if (code == IP_NOT_ALLOWED) {
            return new WarehouseFailure(message + " (a network policy does not allow this replica's IP address)", e);
        }
        if (code >= 390100 && code <= 390199) {
            return new WarehouseFailure(message + " (authentication refused)", e);
        }
        if (code == NO_WAREHOUSE) {
            return new WarehouseFailure(message + " (check snowhook.warehouse.snowflake.warehouse and its grants)", e);
        }
        if (code == REMOTE_FILE_NOT_FOUND) {
            return new RemoteFileNotFound(message, e);
        }
        if (code == STAGE_ACCESS_FAILED) {
            return new WarehouseFailure(
                    message + " (Snowflake cannot read the stage: check its storage integration and the role"
                            + " assignment on the container)",
                    e);
        }
        if (code == QUOTA_EXCEEDED) {
            return new WarehouseUnavailable(message + " (resource monitor quota reached)", e);
        }
        if (DRIVER_TRANSIENT.contains(code) || WAREHOUSE_BUSY.contains(code)) {
            return new WarehouseUnavailable(message, e);
        }
        if (code >= 100000 && code < 101000) {
            return rejected(cause.getMessage());
        }
        if (state.startsWith("08") || state.startsWith("57")) {
            return new WarehouseUnavailable(message, e);
        }
        if (code == 0 && (e instanceof SQLTransientException || hasIoCause(e))) {
            return new WarehouseUnavailable(message, e);
        }
        if (hasIoCause(e) && code >= 200000) {
            return new WarehouseUnavailable(message, e);
        }
        return new WarehouseFailure(message, e);
    }

    /** The session behind the failed statement is gone: transient, and its connection must not be used again. */
    static final class SessionGone extends WarehouseUnavailable {
        SessionGone(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A {@code FILES} entry was not in the stage (091016); what that means depends on who put it there. */
    static final class RemoteFileNotFound extends WarehouseFailure {
        RemoteFileNotFound(String message, Throwable cause) {
            super(message, cause);
        }
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
