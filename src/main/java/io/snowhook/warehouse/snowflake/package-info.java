/** The Snowflake warehouse adapter: internal-stage uploads or external Azure stages, COPY verified per file. */
@NullMarked
package io.snowhook.warehouse.snowflake;

import org.jspecify.annotations.NullMarked;
