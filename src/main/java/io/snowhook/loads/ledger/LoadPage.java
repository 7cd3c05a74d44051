package io.snowhook.loads.ledger;

import java.util.List;

/**
 * One page of loads, newest first.
 *
 * @param page zero-based page number
 * @param size the page size asked for
 * @param totalElements how many loads match the filters in all
 */
public record LoadPage(List<Load> loads, int page, int size, long totalElements) {

    public int totalPages() {
        return size == 0 ? 0 : (int) ((totalElements + size - 1) / size);
    }
}
