package io.snowhook.warehouse;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The lineage columns every target table carries, and the checks both adapters make on a table and its name
 * before they load into it. Names compare case-insensitively: DuckDB keeps the case they were created with,
 * Snowflake upper-cases unquoted names.
 */
public final class Lineage {

    /** {@code <container>/<blob name>} of the file a row came from. */
    public static final String SOURCE_BLOB = "_source_blob";
    /** The eTag of the blob version a row came from. */
    public static final String ETAG = "_etag";
    /** The ledger's load id of the load that wrote the row. */
    public static final String LOAD_ID = "_load_id";
    /** When the row was loaded. */
    public static final String LOADED_AT = "_loaded_at";
    /** Optional: the row's line or record number in its file, filled where the warehouse can tell it. */
    public static final String ROW_NUMBER = "_row_number";

    /** The lineage columns a target table must have. */
    public static final List<String> REQUIRED = List.of(SOURCE_BLOB, ETAG, LOAD_ID, LOADED_AT);

    private static final Set<String> REQUIRED_SET = Set.copyOf(REQUIRED);

    /** A target table's name: a plain identifier, so it is written into SQL only quoted and unchanged. */
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");

    private Lineage() {}

    /**
     * The table name, checked to be a plain identifier (letters, digits and {@code _}, not starting with a digit).
     *
     * @throws WarehouseFailure when it is not one (routes are validated at start-up, so this is a safety net)
     */
    public static String table(String name) {
        if (!TABLE.matcher(name).matches()) {
            throw new WarehouseFailure("not a plain identifier: " + name);
        }
        return name;
    }

    /** Whether {@code column} is one of the required lineage columns (in any case). */
    public static boolean required(String column) {
        return REQUIRED_SET.contains(column.toLowerCase(Locale.ROOT));
    }

    /** Whether {@code column} is the optional row-number column (in any case). */
    public static boolean rowNumber(String column) {
        return ROW_NUMBER.equalsIgnoreCase(column);
    }

    /**
     * Checks that a table exists and has the required lineage columns.
     *
     * @param table the table's name as the message shows it
     * @param columns all its columns as the warehouse's catalogue lists them; empty when there is no such table
     * @param spelling how the warehouse spells an unquoted name (DuckDB as written, Snowflake upper-cased), for the
     *     message
     * @throws WarehouseFailure naming the table and what it lacks
     */
    public static void check(String table, Collection<String> columns, UnaryOperator<String> spelling) {
        if (columns.isEmpty()) {
            throw new WarehouseFailure("table " + table + " does not exist or is not visible");
        }
        Set<String> names =
                columns.stream().map(c -> c.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        List<String> missing =
                REQUIRED.stream().filter(c -> !names.contains(c)).map(spelling).toList();
        if (!missing.isEmpty()) {
            throw new WarehouseFailure("table " + table + " lacks the lineage columns " + missing);
        }
    }
}
