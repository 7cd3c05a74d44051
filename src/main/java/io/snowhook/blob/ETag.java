package io.snowhook.blob;

/**
 * Azure's entity tags: events and the ledger carry them bare ({@code 0x8D…}); HTTP conditions want them
 * quoted; Event Grid and the storage SDK hand them out both ways.
 */
public final class ETag {

    private ETag() {}

    /** The bare eTag: surrounding whitespace and one pair of double quotes removed. */
    public static String unquoted(String etag) {
        String e = etag.strip();
        return e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"") ? e.substring(1, e.length() - 1) : e;
    }

    /** The eTag as an HTTP {@code If-Match} condition wants it: quoted. */
    public static String quoted(String etag) {
        return etag.startsWith("\"") ? etag : "\"" + etag + "\"";
    }
}
