package io.snowhook.warehouse;

/** How a file's rows relate to rows loaded earlier from the same blob. */
public enum LoadMode {
    /** Rows are added; re-loading the same blob version never duplicates them. */
    APPEND,
    /** The file's rows replace those of any previous version of the same blob, in one transaction. */
    REPLACE
}
