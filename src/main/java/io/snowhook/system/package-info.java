/** Cross-cutting concerns: problem details, security, web configuration and the transient-failure mark. */
@NullMarked
package io.snowhook.system;

import org.jspecify.annotations.NullMarked;
