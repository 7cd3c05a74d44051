package io.snowhook.warehouse.duckdb;

import io.snowhook.warehouse.FileFormat;
import io.snowhook.warehouse.FileLoad;
import io.snowhook.warehouse.FileRejected;
import io.snowhook.warehouse.WarehouseFailure;
import io.snowhook.warehouse.WarehouseUnavailable;
import java.sql.SQLException;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Sorts DuckDB's errors into what the worker should do: retry ({@link WarehouseUnavailable}), fail the file
 * ({@link FileRejected}, with DuckDB's first error, line and column) or fail for good ({@link WarehouseFailure}).
 * DuckDB's JDBC driver reports every error as a plain {@link SQLException} whose message starts with the error's
 * type ({@code Conversion Error: …}, {@code IO Error: …}), so the type decides.
 */
final class DuckDbErrors {

    private static final Pattern ERROR_LINE = Pattern.compile("(?i)\\bline:? (\\d+)");
    private static final Pattern ERROR_COLUMN =
            Pattern.compile("column \"([^\"]+)\"|constraint failed: [^.\\s]+\\.(\\S+)|Referenced column \"([^\"]+)\"");
    private static final int MAX_ERROR_LENGTH = 1000;

    private DuckDbErrors() {}

    /**
     * The exception for an error of the insert reading a staged file: a {@link FileRejected} when the file's data is
     * at fault, else as {@link #classify}. The staged path in DuckDB's message is replaced by the blob's name.
     */
    static RuntimeException insertFailed(SQLException e, FileLoad file, String stagedPath) {
        String message = Objects.toString(e.getMessage(), "");
        if (!badData(message, file.format())) {
            return classify(e, "DuckDB could not load " + file.sourceBlob() + " into " + file.table());
        }
        String readable = message.replace(stagedPath, file.sourceBlob());
        return new FileRejected(firstError(readable), errorLine(readable), errorColumn(readable));
    }

    /** Whether DuckDB's error is about the file's content rather than the database or the disk. */
    static boolean badData(String message, FileFormat format) {
        String kind = message.contains(":") ? message.substring(0, message.indexOf(':')) : "";
        return switch (kind) {
            case "Conversion Error", "Invalid Input Error", "Constraint Error", "Out of Range Error" -> true;
            // A Parquet file without one of the table's columns.
            case "Binder Error" -> format == FileFormat.PARQUET && message.contains("Referenced column");
            // A corrupt compressed file is bad data, not a broken disk.
            case "IO Error" -> message.matches("(?s).*(GZIP|gzip|zlib|decompress).*");
            default -> false;
        };
    }

    /**
     * An error not about a file's data: transient when DuckDB or its disk may recover, else permanent — an
     * out-of-memory error too, with what to raise (see {@link #MEMORY_LIMIT_HINT}).
     */
    static RuntimeException classify(SQLException e, String what) {
        String message = Objects.toString(e.getMessage(), "");
        if (message.startsWith("FATAL Error") || message.contains("database has been invalidated")) {
            return new DatabaseInvalidated(what + ": " + firstError(message), e);
        }
        if (message.startsWith("Out of Memory Error") && !message.contains("max_temp_directory_size")) {
            return new WarehouseFailure(what + ": " + firstError(message) + MEMORY_LIMIT_HINT, e);
        }
        if (message.startsWith("IO Error")
                || message.startsWith("TransactionContext Error")
                || message.contains("Could not set lock")
                || message.startsWith("Out of Memory Error")
                || message.startsWith("Interrupt")) {
            return new WarehouseUnavailable(what + ": " + firstError(message), e);
        }
        return new WarehouseFailure(what + ": " + firstError(message), e);
    }

    /**
     * Appended to an out-of-memory error, which is permanent: this adapter runs one statement at a time, so what the
     * statement needed beyond {@code memory_limit} it needs again on every retry — the same file with the same
     * settings fails the same way. Only DuckDB's spill folder running full ({@code max_temp_directory_size}, a share
     * of the free disk) may pass as other files leave the disk, and stays transient.
     */
    static final String MEMORY_LIMIT_HINT = " — DuckDB needs more memory for this file than its memory limit allows:"
            + " raise snowhook.warehouse.duckdb.memory-limit";

    /**
     * DuckDB refuses every further statement on an instance after a fatal error: transient, and the adapter reopens
     * the database before the next try.
     */
    static final class DatabaseInvalidated extends WarehouseUnavailable {
        DatabaseInvalidated(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** DuckDB's first line, plus the line that says what is wrong when the first only says where. */
    static String firstError(String message) {
        String[] lines = message.strip().split("\\R");
        StringBuilder error = new StringBuilder(lines[0].strip());
        if (lines[0].contains("CSV Error on Line")) {
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i].strip();
                if (!line.isEmpty() && !line.startsWith("Original Line")) {
                    error.append(": ").append(line);
                    break;
                }
            }
        }
        return error.length() > MAX_ERROR_LENGTH ? error.substring(0, MAX_ERROR_LENGTH) : error.toString();
    }

    static @Nullable Long errorLine(String message) {
        Matcher m = ERROR_LINE.matcher(message);
        return m.find() ? Long.valueOf(m.group(1)) : null;
    }

    static @Nullable String errorColumn(String message) {
        Matcher m = ERROR_COLUMN.matcher(message);
        if (!m.find()) {
            return null;
        }
        for (int g = 1; g <= m.groupCount(); g++) {
            if (m.group(g) != null) {
                return m.group(g);
            }
        }
        return null;
    }
}
