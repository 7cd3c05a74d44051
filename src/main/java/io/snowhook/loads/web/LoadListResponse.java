package io.snowhook.loads.web;

import io.snowhook.loads.ledger.LoadPage;
import java.util.List;

/** One page of {@code GET /loads}: loads newest first, and where the page stands. */
record LoadListResponse(List<LoadResponse> loads, int page, int size, long totalElements, int totalPages) {

    static LoadListResponse of(LoadPage page) {
        return new LoadListResponse(
                page.loads().stream().map(LoadResponse::of).toList(),
                page.page(),
                page.size(),
                page.totalElements(),
                page.totalPages());
    }
}
