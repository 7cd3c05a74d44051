/** Warehouse port (stage + COPY + per-file result) and its adapters. */
@NullMarked
package io.snowhook.warehouse;

import org.jspecify.annotations.NullMarked;
