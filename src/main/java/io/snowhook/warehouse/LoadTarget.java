package io.snowhook.warehouse;

/**
 * Where and how a file loads: the plan a route fixed on the load when its event was recorded.
 *
 * @param table target table (a plain identifier)
 * @param format file format
 * @param mode append or replace
 * @param staging internal or external
 */
public record LoadTarget(String table, FileFormat format, LoadMode mode, Staging staging) {}
