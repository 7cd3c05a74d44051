package io.snowhook.loads.web;

import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /ingestions}.
 *
 * @param url the blob's URL, host style ({@code https://<account>.blob.core.windows.net/<container>/<blob>})
 *     or Azurite's path style ({@code http://127.0.0.1:10000/<account>/<container>/<blob>})
 */
record IngestionRequest(@Nullable String url) {}
