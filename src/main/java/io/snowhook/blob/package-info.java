/** Blob storage: streams blobs from configured Azure Storage accounts only. */
@NullMarked
package io.snowhook.blob;

import org.jspecify.annotations.NullMarked;
