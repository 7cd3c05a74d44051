/** The embedded warehouse: a DuckDB file database with a local stage folder, read by DuckDB's native readers. */
@NullMarked
package io.snowhook.warehouse.duckdb;

import org.jspecify.annotations.NullMarked;
