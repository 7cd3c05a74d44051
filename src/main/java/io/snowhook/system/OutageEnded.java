package io.snowhook.system;

/** A known-down dependency answered again (published by {@link Outages}). */
public record OutageEnded(String dependency) {}
