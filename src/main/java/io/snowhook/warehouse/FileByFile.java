package io.snowhook.warehouse;

import io.snowhook.system.TransientFailure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A batch loaded one file at a time through {@link Warehouse#load(FileLoad, java.io.InputStream, CommitFence)}:
 * each file in a transaction of its own, so the batch keeps the port's promises with one statement per file — the
 * fallback for what a warehouse cannot load in one statement.
 */
public final class FileByFile {

    private FileByFile() {}

    /**
     * Loads every file of {@code batch} on its own, in order; a transient failure ends the batch, as a {@link
     * PartlyLoaded} naming the files settled before it, and a {@link ClaimLost} ends it naming them too.
     */
    public static List<FileResult> load(
            Warehouse warehouse, FileBatch batch, FileContents contents, CommitFence fence) {
        List<FileResult> results = new ArrayList<>(batch.files().size());
        for (FileLoad file : batch.files()) {
            try {
                results.add(load(warehouse, file, contents, fence));
            } catch (TransientFailure e) {
                throw PartlyLoaded.after(results, e);
            } catch (ClaimLost e) {
                throw e.after(results);
            }
        }
        return results;
    }

    /**
     * Loads one file; any failure but a transient one or a {@link ClaimLost} becomes its {@link FileResult.Failed}. A
     * failure the file's content raised decides over what the warehouse made of it (a driver wraps a read error in its
     * own).
     */
    public static FileResult load(Warehouse warehouse, FileLoad file, FileContents contents, CommitFence fence) {
        try {
            if (warehouse.readsFromStorage(file)) {
                return FileResult.loaded(file, warehouse.load(file, null, fence));
            }
            SourceStream content = new SourceStream(contents.open(file));
            try {
                return FileResult.loaded(file, warehouse.load(file, content, fence));
            } catch (RuntimeException e) {
                RuntimeException source = content.failure();
                if (source != null && source != e && !(e instanceof ClaimLost)) {
                    source.addSuppressed(e);
                    throw source;
                }
                throw e;
            } finally {
                try {
                    content.close();
                } catch (IOException ignored) {
                    // the file is loaded or failed already; nothing is left to read
                }
            }
        } catch (ClaimLost e) {
            throw e;
        } catch (RuntimeException e) {
            if (TransientFailure.is(e)) {
                throw e;
            }
            return FileResult.failed(file, e);
        }
    }
}
