/** Intake: POST /events, envelope unwrapping and storage-event validation. */
@NullMarked
package io.snowhook.intake;

import org.jspecify.annotations.NullMarked;
