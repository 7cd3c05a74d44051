package io.snowhook.warehouse;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Files loaded into one table together: one target (table, format, mode, staging) in one container, each file a
 * load of its own with its own result.
 *
 * @param batchId the ledger's id of this batch
 * @param attempt the ledger's number of this try of the batch (1, 2, …): unique per batch even across a takeover by
 *     another worker, so a try's staged files are its own
 * @param target where every file of the batch goes
 * @param account the storage account of every file
 * @param container the container of every file
 * @param files the files, at least one and at most {@link #MAX_FILES}, each load once; in replace mode at most one
 *     version of a blob (the newer replaces the older, so they never load together)
 */
public record FileBatch(
        UUID batchId, int attempt, LoadTarget target, String account, String container, List<FileLoad> files) {

    /** The most files one batch may hold: Snowflake's limit on the names in {@code COPY … FILES = (…)}. */
    public static final int MAX_FILES = 1000;

    public FileBatch {
        files = List.copyOf(files);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("a batch has at least one file");
        }
        if (files.size() > MAX_FILES) {
            throw new IllegalArgumentException("a batch has at most " + MAX_FILES + " files, not " + files.size());
        }
        if (attempt < 1) {
            throw new IllegalArgumentException("attempts count from 1: " + attempt);
        }
        Set<UUID> loads = new HashSet<>();
        Set<String> blobs = new HashSet<>();
        for (FileLoad file : files) {
            if (!file.target().equals(target)
                    || !file.account().equals(account)
                    || !file.container().equals(container)) {
                throw new IllegalArgumentException("load " + file.loadId() + " (" + file.target() + " from "
                        + file.account() + "/" + file.container() + ") is not for this batch's " + target + " from "
                        + account + "/" + container);
            }
            if (!loads.add(file.loadId())) {
                throw new IllegalArgumentException("load " + file.loadId() + " is in the batch twice");
            }
            if (target.mode() == LoadMode.REPLACE && !blobs.add(file.blobName())) {
                throw new IllegalArgumentException(
                        "blob " + file.sourceBlob() + " is in a replace-mode batch twice (load " + file.loadId() + ")");
            }
        }
    }

    /** A batch of one file, with the load's id and attempt as the batch's. */
    public static FileBatch of(FileLoad file) {
        return new FileBatch(
                file.loadId(), file.attempt(), file.target(), file.account(), file.container(), List.of(file));
    }
}
