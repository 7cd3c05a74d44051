package io.snowhook.system;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.catalina.connector.ClientAbortException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Bounds every request body in size and in time, before any handler reads it. A declared Content-Length
 * over {@code snowhook.http.max-body-size} is answered 413 at once; a chunked body is cut off one byte
 * past it (413). A body still arriving after {@code snowhook.http.body-read-timeout} is cut off (408,
 * connection closed), so clients trickling bytes cannot hold the server's threads. A body the connection
 * cannot deliver (client gone, malformed chunk header) is a 400 {@link UnreadableBody}, not a 500.
 * {@code POST /events} has its own, larger size limit ({@code snowhook.intake.max-body-size}); the time
 * bound applies to it too.
 */
@Component
@EnableConfigurationProperties(HttpProperties.class)
class BoundedBodies extends OncePerRequestFilter implements Ordered {

    private static final Logger log = LoggerFactory.getLogger(BoundedBodies.class);

    private final HttpProperties properties;

    BoundedBodies(HttpProperties properties) {
        this.properties = properties;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long limit =
                ownLimit(request) ? Long.MAX_VALUE : properties.maxBodySize().toBytes();
        if (request.getContentLengthLong() > limit) {
            log.info(
                    "Refused {} {}: Content-Length {} over the limit of {} bytes",
                    request.getMethod(),
                    request.getRequestURI(),
                    request.getContentLengthLong(),
                    limit);
            response.setHeader(HttpHeaders.CONNECTION, "close");
            PayloadTooLarge problem = new PayloadTooLarge(properties.maxBodySize());
            ProblemResponses.write(
                    response,
                    HttpStatus.CONTENT_TOO_LARGE,
                    "payload-too-large",
                    "Payload too large",
                    problem.getBody().getDetail(),
                    request.getRequestURI(),
                    Map.of("limitBytes", limit));
            return;
        }
        long deadline = System.nanoTime() + properties.bodyReadTimeout().toNanos();
        chain.doFilter(new Bounded(request, response, limit, deadline), response);
    }

    /** {@code POST /events} checks its own limit, {@code snowhook.intake.max-body-size}. */
    private static boolean ownLimit(HttpServletRequest request) {
        return "POST".equals(request.getMethod()) && "/events".equals(request.getRequestURI());
    }

    /** Before the security chain: an oversized body is refused before anything else looks at it. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }

    private final class Bounded extends HttpServletRequestWrapper {

        private final HttpServletResponse response;
        private final long limit;
        private final long deadline;
        private @Nullable ServletInputStream stream;

        Bounded(HttpServletRequest request, HttpServletResponse response, long limit, long deadline) {
            super(request);
            this.response = response;
            this.limit = limit;
            this.deadline = deadline;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new BoundedStream(super.getInputStream());
            }
            return stream;
        }

        @Override
        public BufferedReader getReader() throws IOException {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }

        private final class BoundedStream extends ServletInputStream {

            private final ServletInputStream in;
            private long read;

            BoundedStream(ServletInputStream in) {
                this.in = in;
            }

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                checkDeadline();
                int n;
                try {
                    n = in.read(buffer, offset, length);
                } catch (IOException e) {
                    checkDeadline();
                    boolean gone = e instanceof ClientAbortException;
                    if (gone) {
                        log.debug("The client of {} {} went away while sending its body", getMethod(), getRequestURI());
                    } else {
                        log.info(
                                "Could not read the body of {} {}: {}",
                                getMethod(),
                                getRequestURI(),
                                e.getClass().getSimpleName());
                    }
                    throw new UnreadableBody(gone);
                }
                if (n > 0) {
                    read += n;
                    if (read > limit) {
                        throw new PayloadTooLarge(properties.maxBodySize());
                    }
                }
                return n;
            }

            private void checkDeadline() {
                if (System.nanoTime() - deadline > 0) {
                    // The rest of the body is never read: close the connection rather than drain it.
                    response.setHeader(HttpHeaders.CONNECTION, "close");
                    Duration timeout = properties.bodyReadTimeout();
                    throw new BodyReadTimedOut(timeout);
                }
            }

            @Override
            public boolean isFinished() {
                return in.isFinished();
            }

            @Override
            public boolean isReady() {
                return in.isReady();
            }

            @Override
            public void setReadListener(ReadListener listener) {
                in.setReadListener(listener);
            }
        }
    }
}
