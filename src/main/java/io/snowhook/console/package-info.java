/** The operator console: one page and its scripts, served from the jar, driving the status API. */
@NullMarked
package io.snowhook.console;

import org.jspecify.annotations.NullMarked;
