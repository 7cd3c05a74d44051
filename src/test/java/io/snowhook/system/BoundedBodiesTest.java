package io.snowhook.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.ClientAbortException;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.unit.DataSize;

class BoundedBodiesTest {

    /** Size limits, with all the time in the world. */
    final BoundedBodies filter = new BoundedBodies(new HttpProperties(DataSize.ofBytes(16), Duration.ofMinutes(5)));

    /** A time limit far under what a slow body takes. */
    final BoundedBodies impatient = new BoundedBodies(new HttpProperties(DataSize.ofBytes(16), Duration.ofMillis(300)));

    @Test
    void refusesADeclaredContentLengthOverTheLimitBeforeReading() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/ingestions");
        request.setContent(new byte[17]);
        MockHttpServletResponse response = new MockHttpServletResponse();
        AtomicBoolean reached = new AtomicBoolean();

        filter.doFilter(request, response, (req, res) -> reached.set(true));

        assertThat(reached).isFalse();
        assertThat(response.getStatus()).isEqualTo(413);
        assertThat(response.getContentType()).isEqualTo("application/problem+json");
        assertThat(response.getContentAsString())
                .contains("\"type\":\"https://snowhook.io/problems/payload-too-large\"");
    }

    @Test
    void cutsOffABodyWithoutContentLengthOneBytePastTheLimit() {
        HttpServletRequest request = new Slow(new MockHttpServletRequest("POST", "/ingestions"), 0, 100);

        assertThatThrownBy(() -> filter.doFilter(
                        request,
                        new MockHttpServletResponse(),
                        (req, res) -> req.getInputStream().readAllBytes()))
                .isInstanceOf(PayloadTooLarge.class);
    }

    @Test
    void leavesPostEventsToItsOwnLimit() throws Exception {
        HttpServletRequest request = new Slow(new MockHttpServletRequest("POST", "/events"), 0, 100);
        filter.doFilter(
                request,
                new MockHttpServletResponse(),
                (req, res) -> assertThat(req.getInputStream().readAllBytes()).hasSize(100));
    }

    @Test
    void cutsOffABodyStillArrivingAfterTheReadTimeout() {
        // One byte every 50 ms, 40 bytes on /events (no size limit there): 2 s, far over the 300 ms allowed.
        HttpServletRequest request = new Slow(new MockHttpServletRequest("POST", "/events"), 50, 40);
        MockHttpServletResponse response = new MockHttpServletResponse();

        assertThatThrownBy(() -> impatient.doFilter(
                        request, response, (req, res) -> req.getInputStream().readAllBytes()))
                .isInstanceOf(BodyReadTimedOut.class)
                .satisfies(
                        e -> assertThat(((BodyReadTimedOut) e).getStatusCode().value())
                                .isEqualTo(408));
        assertThat(response.getHeader("Connection")).isEqualTo("close");
    }

    @Test
    void turnsABrokenBodyIntoA400AndAClientAbortIntoNoAnswer() {
        for (IOException failure :
                new IOException[] {new IOException("Invalid chunk header"), new ClientAbortException()}) {
            HttpServletRequest request = new Broken(new MockHttpServletRequest("POST", "/ingestions"), failure);
            assertThatThrownBy(() -> filter.doFilter(
                            request,
                            new MockHttpServletResponse(),
                            (req, res) -> req.getInputStream().readAllBytes()))
                    .isInstanceOfSatisfying(UnreadableBody.class, e -> {
                        assertThat(e.getStatusCode().value()).isEqualTo(400);
                        assertThat(e.clientGone()).isEqualTo(failure instanceof ClientAbortException);
                    });
        }
    }

    /** A body of {@code length} bytes without Content-Length, one byte every {@code pauseMillis}. */
    static final class Slow extends HttpServletRequestWrapper {

        private final long pauseMillis;
        private final int length;

        Slow(HttpServletRequest request, long pauseMillis, int length) {
            super(request);
            this.pauseMillis = pauseMillis;
            this.length = length;
        }

        @Override
        public ServletInputStream getInputStream() {
            return new ServletInputStream() {
                int sent;

                @Override
                public int read() throws IOException {
                    if (sent == length) {
                        return -1;
                    }
                    try {
                        Thread.sleep(pauseMillis);
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                    sent++;
                    return '[';
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int c = read();
                    if (c < 0) {
                        return -1;
                    }
                    b[off] = (byte) c;
                    return 1;
                }

                @Override
                public boolean isFinished() {
                    return sent == length;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {}
            };
        }
    }

    /** A body whose first read fails. */
    static final class Broken extends HttpServletRequestWrapper {

        private final IOException failure;

        Broken(HttpServletRequest request, IOException failure) {
            super(request);
            this.failure = failure;
        }

        @Override
        public ServletInputStream getInputStream() {
            return new ServletInputStream() {
                @Override
                public int read() throws IOException {
                    throw failure;
                }

                @Override
                public boolean isFinished() {
                    return false;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {}
            };
        }
    }
}
