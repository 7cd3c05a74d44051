package io.snowhook.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A loopback HTTP reverse proxy that forwards to a real server (e.g. {@link AzuriteServer}) and injects
 * faults on demand: the next N matching requests get an HTTP error (503, 429, 500…) or a dropped
 * connection instead of being forwarded, or are held for a while before they are. Point the code under test at {@link #url()} to fail it at the
 * real network seam, with the real client and its real error handling.
 *
 * <p>Hand-written because no test library here proxies a real server with countable, scripted faults;
 * it is small and only for tests.
 */
public final class FaultProxy implements AutoCloseable {

    private static final Set<String> HOP_BY_HOP =
            Set.of("connection", "content-length", "expect", "host", "upgrade", "transfer-encoding", "keep-alive");

    /** Requests that only read: the ones a blob download makes. */
    public static final Predicate<HttpExchange> READS =
            e -> e.getRequestMethod().equals("GET") || e.getRequestMethod().equals("HEAD");

    /** Fault kinds that are not an HTTP status: close the connection unanswered; hold the request, then forward. */
    private static final int DROP = 0;

    private static final int STALL = -1;

    private final URI target;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final AtomicInteger forwarded = new AtomicInteger();
    private final AtomicInteger injected = new AtomicInteger();
    private final AtomicInteger readsInFlight = new AtomicInteger();
    private final AtomicInteger maxReadsInFlight = new AtomicInteger();
    private volatile long readDelayMillis;

    private FaultProxy(URI target) {
        this.target = target;
        try {
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Starts a proxy on a free loopback port forwarding to {@code target} (scheme, host and port only). */
    public static FaultProxy forwardingTo(URI target) {
        return new FaultProxy(URI.create(target.getScheme() + "://" + target.getAuthority()));
    }

    /** A proxy in front of the shared Azurite. */
    public static FaultProxy inFrontOfAzurite() {
        return forwardingTo(URI.create(AzuriteServer.shared().endpoint()));
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The Azurite development account's blob endpoint through this proxy. */
    public String azuriteEndpoint() {
        return url() + "/" + AzuriteServer.ACCOUNT;
    }

    /** The next {@code times} read requests (GET/HEAD) are answered with {@code status} instead of forwarded. */
    public FaultProxy failReads(int times, int status) {
        return fail(times, status, READS);
    }

    /** The next {@code times} requests matching {@code which} are answered with {@code status}. */
    public synchronized FaultProxy fail(int times, int status, Predicate<HttpExchange> which) {
        faults.add(new Fault(times, status, which, Duration.ZERO));
        return this;
    }

    /** The next {@code times} read requests have their connection closed without an answer. */
    public synchronized FaultProxy dropReads(int times) {
        faults.add(new Fault(times, DROP, READS, Duration.ZERO));
        return this;
    }

    /**
     * The next {@code times} read requests (GET/HEAD) are held for {@code stall} before they are forwarded:
     * a storage that accepted the connection and the request but does not answer.
     */
    public synchronized FaultProxy stallReads(int times, Duration stall) {
        faults.add(new Fault(times, STALL, READS, stall));
        return this;
    }

    /** Forgets faults not injected yet. */
    public synchronized void heal() {
        faults.clear();
    }

    /** How many faults were injected so far. */
    public int injected() {
        return injected.get();
    }

    /** Holds every forwarded read this long before forwarding it, so that overlapping reads can be seen. */
    public FaultProxy delayReads(java.time.Duration delay) {
        readDelayMillis = delay.toMillis();
        return this;
    }

    /** The most reads that were being forwarded at the same time so far. */
    public int maxReadsInFlight() {
        return maxReadsInFlight.get();
    }

    /** How many requests were forwarded so far. */
    public int forwarded() {
        return forwarded.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private synchronized Fault takeFault(HttpExchange exchange) {
        for (Fault fault : faults) {
            if (fault.remaining > 0 && fault.which.test(exchange)) {
                fault.remaining--;
                if (fault.remaining == 0) {
                    faults.remove(fault);
                }
                return fault;
            }
        }
        return null;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Fault fault = takeFault(exchange);
            if (fault != null) {
                injected.incrementAndGet();
                if (fault.status != STALL) {
                    inject(exchange, fault.status);
                    return;
                }
                try {
                    Thread.sleep(fault.stall.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (!READS.test(exchange)) {
                forward(exchange);
                return;
            }
            maxReadsInFlight.accumulateAndGet(readsInFlight.incrementAndGet(), Math::max);
            try {
                if (readDelayMillis > 0) {
                    Thread.sleep(readDelayMillis);
                }
                forward(exchange);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } finally {
                readsInFlight.decrementAndGet();
            }
        }
    }

    private static void inject(HttpExchange exchange, int status) throws IOException {
        if (status == DROP) {
            // close the connection without an answer: the client sees an I/O error
            throw new IOException("connection dropped by the test proxy");
        }
        String code = status == 503 ? "ServerBusy" : status == 429 ? "TooManyRequests" : "InternalError";
        byte[] body = ("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>" + code
                        + "</Code><Message>fault injected by the test proxy</Message></Error>")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("x-ms-error-code", code);
        exchange.getResponseHeaders().set("Content-Type", "application/xml");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
        } else {
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private void forward(HttpExchange exchange) throws IOException {
        // HttpURLConnection, because java.net.http refuses to forward a Date header, which Shared Key
        // signatures cover.
        URL url = URI.create(target + exchange.getRequestURI().toString()).toURL();
        HttpURLConnection connection = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
        connection.setRequestMethod(exchange.getRequestMethod());
        connection.setInstanceFollowRedirects(false);
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(60_000);
        connection.setUseCaches(false);
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                connection.setRequestProperty(name, String.join(",", values));
            }
        });
        byte[] requestBody = exchange.getRequestBody().readAllBytes();
        if (requestBody.length > 0) {
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(requestBody.length);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(requestBody);
            }
        }
        int status = connection.getResponseCode();
        forwarded.incrementAndGet();
        connection.getHeaderFields().forEach((name, values) -> {
            if (name != null && !HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                exchange.getResponseHeaders().put(name, List.copyOf(values));
            }
        });
        long length = connection.getContentLengthLong();
        boolean noBody = exchange.getRequestMethod().equals("HEAD") || status == 204 || status == 304 || length == 0;
        if (noBody) {
            if (length >= 0) {
                exchange.getResponseHeaders().set("Content-Length", Long.toString(length));
            }
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        InputStream body = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        exchange.sendResponseHeaders(status, Math.max(length, 0));
        try (OutputStream out = exchange.getResponseBody()) {
            if (body != null) {
                try (body) {
                    body.transferTo(out);
                }
            }
        }
    }

    private static final class Fault {
        int remaining;
        final int status;
        final Predicate<HttpExchange> which;
        final Duration stall;

        Fault(int remaining, int status, Predicate<HttpExchange> which, Duration stall) {
            this.remaining = remaining;
            this.status = status;
            this.which = which;
            this.stall = stall;
        }
    }
}
