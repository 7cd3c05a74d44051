/**
 * Loads: {@code ledger} (what is to be loaded, and what happened), {@code work} (the workers that load it)
 * and {@code web} (the status and re-ingest API over the ledger). Here only their shared configuration.
 */
@NullMarked
package io.snowhook.loads;

import org.jspecify.annotations.NullMarked;
