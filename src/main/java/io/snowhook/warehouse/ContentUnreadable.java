package io.snowhook.warehouse;

import io.snowhook.system.TransientFailure;
import java.io.IOException;

/** Reading a file's bytes failed with an I/O error the caller's {@link FileContents} did not classify: retried. */
public class ContentUnreadable extends TransientFailure {

    public ContentUnreadable(String message, IOException cause) {
        super(message, cause);
    }
}
