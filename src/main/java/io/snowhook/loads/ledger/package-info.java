/**
 * The load ledger: records incoming blobs as loads (dedupe by event id and blob version, supersede older
 * versions, skip what no route takes), fixes each load's plan (its route's target) on the row, answers
 * queries, queues re-ingestions and purges final loads after their retention. It knows nothing of the
 * workers that run the loads.
 */
@NullMarked
package io.snowhook.loads.ledger;

import org.jspecify.annotations.NullMarked;
