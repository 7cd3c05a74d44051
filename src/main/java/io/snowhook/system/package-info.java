/** Cross-cutting web concerns: problem details, security and web configuration. */
@NullMarked
package io.snowhook.system;

import org.jspecify.annotations.NullMarked;
