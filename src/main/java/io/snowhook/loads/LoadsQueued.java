package io.snowhook.loads;

/** Published when loads were queued in this process, so idle workers look for work at once. */
record LoadsQueued(int count) {}
