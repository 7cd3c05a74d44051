package io.snowhook.sweep;

import java.util.List;

/** One page of {@code GET /sweeps}: sweeps newest first, and where the page stands. */
record SweepListResponse(List<SweepResponse> sweeps, int page, int size, long totalElements) {}
