package io.snowhook.warehouse;

/** What the warehouse reports for one successfully loaded file. */
public record LoadResult(long rowsParsed, long rowsLoaded) {}
