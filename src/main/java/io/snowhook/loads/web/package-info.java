/** HTTP API over the load ledger: status, summary and re-ingest. */
@NullMarked
package io.snowhook.loads.web;

import org.jspecify.annotations.NullMarked;
