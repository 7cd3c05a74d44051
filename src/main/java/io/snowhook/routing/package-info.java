/** Routing: maps a blob-name prefix to a table, file format and load mode. */
@NullMarked
package io.snowhook.routing;

import org.jspecify.annotations.NullMarked;
