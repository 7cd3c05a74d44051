/**
 * Reconciliation: sweeps list the routed prefixes of the configured containers and record a load for every
 * blob version the ledger has none for, whatever happened to its event.
 */
@NullMarked
package io.snowhook.sweep;

import org.jspecify.annotations.NullMarked;
