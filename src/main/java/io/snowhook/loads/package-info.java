/** The load ledger: durable load records, the queue workers claim from, retries and re-ingest. */
@NullMarked
package io.snowhook.loads;

import org.jspecify.annotations.NullMarked;
