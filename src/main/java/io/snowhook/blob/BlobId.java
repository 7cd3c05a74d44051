package io.snowhook.blob;

/** A blob by its (storage account, container, name). */
public record BlobId(String account, String container, String name) {

    @Override
    public String toString() {
        return account + "/" + container + "/" + name;
    }
}
