package io.snowhook.blob;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/** An open blob: its bytes as a stream (never whole in memory), its length and the eTag actually read. */
public record BlobContent(InputStream stream, long length, String etag) implements Closeable {

    @Override
    public void close() throws IOException {
        stream.close();
    }
}
