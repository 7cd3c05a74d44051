package io.snowhook.sweep;

/** Published when a sweep was created in this process, so its sweeper starts at once. */
record SweepRequested() {}
