package io.snowhook.warehouse.snowflake;

import io.snowhook.blob.BlobChanged;
import io.snowhook.blob.BlobContent;
import io.snowhook.blob.BlobId;
import io.snowhook.blob.BlobNotFound;
import io.snowhook.blob.BlobSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A container as a folder, for the adapter's unit tests: {@link #pin} copies a file within it, as Copy Blob copies
 * within an account, and fails as Copy Blob does when the file is gone or carries another eTag than the one asked
 * for (eTags are recorded with {@link #etag}; a file without one matches any).
 */
final class FolderBlobs implements BlobSource {

    private final Path folder;
    private final Map<String, String> etags = new ConcurrentHashMap<>();

    FolderBlobs(Path folder) {
        this.folder = folder;
    }

    /** The blob {@code name} now carries {@code etag}. */
    void etag(String name, String etag) {
        etags.put(name, etag);
    }

    @Override
    public void pin(BlobId id, String expectedEtag, String pinnedName) {
        Path source = folder.resolve(id.name());
        if (!Files.isRegularFile(source)) {
            throw new BlobNotFound("blob not found: " + id);
        }
        String etag = etags.get(id.name());
        if (etag != null && !etag.equals(expectedEtag)) {
            throw new BlobChanged("blob changed since the event: " + id);
        }
        try {
            Path target = folder.resolve(pinnedName);
            Files.createDirectories(target.getParent());
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void delete(BlobId id) {
        try {
            Files.deleteIfExists(folder.resolve(id.name()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int deleteOlderThan(String account, String container, String prefix, Instant cutoff) {
        Path root = folder.resolve(prefix);
        if (!Files.isDirectory(root)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> old = files.filter(Files::isRegularFile)
                    .filter(f -> {
                        try {
                            return Files.getLastModifiedTime(f).toInstant().isBefore(cutoff);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .toList();
            for (Path f : old) {
                Files.delete(f);
            }
            return old.size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Pinned copies still in the folder. */
    List<String> pinned() {
        Path root = folder.resolve(SnowflakeWarehouse.PINNED);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile)
                    .map(f -> folder.relativize(f).toString())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public BlobContent open(BlobId id, @Nullable String expectedEtag) {
        throw new UnsupportedOperationException("the adapter never reads a blob itself");
    }

    @Override
    public void check() {}

    @Override
    public void check(String account) {}
}
