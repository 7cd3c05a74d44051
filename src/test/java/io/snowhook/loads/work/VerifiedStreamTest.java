package io.snowhook.loads.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snowhook.support.TestFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class VerifiedStreamTest {

    static final byte[] CSV = "a,b\n".repeat(50_000).getBytes(StandardCharsets.UTF_8);

    @Test
    void passesAWholeFileThrough() throws IOException {
        assertThat(readAll(new VerifiedStream(new ByteArrayInputStream(CSV), CSV.length, false, "f.csv")))
                .isEqualTo(CSV);
        byte[] gz = TestFiles.gzip(CSV);
        assertThat(readAll(new VerifiedStream(new ByteArrayInputStream(gz), gz.length, true, "f.csv.gz")))
                .isEqualTo(gz);
    }

    @Test
    void failsAReadShorterThanTheBlobBeforeItsEnd() {
        // a connection that ends cleanly mid-file: the reader would see a normal end-of-file
        InputStream cut = new ByteArrayInputStream(Arrays.copyOf(CSV, CSV.length / 2));

        assertThatThrownBy(() -> readAll(new VerifiedStream(cut, CSV.length, false, "f.csv")))
                .isInstanceOf(FileIncomplete.class)
                .hasMessageContaining("truncated")
                .hasMessageContaining("read " + CSV.length / 2 + " of the blob's " + CSV.length + " bytes");
    }

    @Test
    void failsAGzipFileCutShortEvenWhenTheBlobIsThatShort() {
        byte[] gz = TestFiles.gzip(CSV);
        byte[] cut = Arrays.copyOf(gz, gz.length - 6);

        assertThatThrownBy(() -> readAll(new VerifiedStream(new ByteArrayInputStream(cut), cut.length, true, "f.gz")))
                .isInstanceOf(FileIncomplete.class)
                .hasMessageContaining("gzip file is corrupt or truncated");
    }

    @Test
    void failsAGzipFileWhoseTrailerDoesNotMatchItsContent() {
        byte[] gz = TestFiles.gzip(CSV);
        gz[gz.length - 8] ^= 0x01; // the CRC-32

        assertThatThrownBy(() -> readAll(new VerifiedStream(new ByteArrayInputStream(gz), gz.length, true, "f.gz")))
                .isInstanceOf(FileIncomplete.class)
                .hasMessageContaining("gzip file is corrupt or truncated");
    }

    static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }
}
