/**
 * The work: workers claim queued loads from the ledger, run each one's plan against blob storage and the
 * warehouse under a lease, retry transient failures and record one outcome per load, with the metrics of
 * the work.
 */
@NullMarked
package io.snowhook.loads.work;

import org.jspecify.annotations.NullMarked;
