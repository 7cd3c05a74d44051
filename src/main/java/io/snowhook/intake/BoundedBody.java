package io.snowhook.intake;

import io.snowhook.system.PayloadTooLarge;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.util.unit.DataSize;

/**
 * Reads a request body whole, but never more than the limit: a declared Content-Length over it is
 * refused before reading, and a chunked body is cut off one byte past it.
 */
final class BoundedBody {

    private BoundedBody() {}

    /** @throws PayloadTooLarge when the body is larger than {@code limit} */
    static byte[] read(HttpServletRequest request, DataSize limit) throws IOException {
        long max = limit.toBytes();
        if (request.getContentLengthLong() > max) {
            throw new PayloadTooLarge(limit);
        }
        InputStream in = request.getInputStream();
        byte[] body = in.readNBytes((int) max + 1);
        if (body.length > max) {
            throw new PayloadTooLarge(limit);
        }
        return body;
    }
}
