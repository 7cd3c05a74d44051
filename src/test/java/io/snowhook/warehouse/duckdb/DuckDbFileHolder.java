package io.snowhook.warehouse.duckdb;

import java.sql.Connection;
import java.sql.DriverManager;

/**
 * A second process that holds a DuckDB file open — as another snowhook or a DuckDB shell would — until
 * its stdin closes. Started by {@link DuckDbWarehouseTest}.
 */
final class DuckDbFileHolder {

    static final String HOLDING = "holding";

    private DuckDbFileHolder() {}

    public static void main(String[] args) throws Exception {
        try (Connection conn = DriverManager.getConnection("jdbc:duckdb:" + args[0])) {
            System.out.println(HOLDING);
            System.out.flush();
            while (System.in.read() != -1) {
                // wait for the parent to close our stdin
            }
        }
    }
}
