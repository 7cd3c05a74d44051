package io.snowhook.loads.work;

/**
 * The blob's bytes are not the whole file: fewer or more bytes than the blob's size, or a gzip member
 * whose trailer (CRC-32, length) does not match what it holds. Permanent: the load fails with no rows.
 */
final class FileIncomplete extends RuntimeException {

    FileIncomplete(String message) {
        super(message, null, false, false);
    }

    FileIncomplete(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
