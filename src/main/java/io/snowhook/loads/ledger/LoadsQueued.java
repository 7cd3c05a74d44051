package io.snowhook.loads.ledger;

/** Published when loads were queued in this process, so idle workers look for work at once. */
public record LoadsQueued(int count) {}
