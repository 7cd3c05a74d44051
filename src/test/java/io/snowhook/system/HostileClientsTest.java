package io.snowhook.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The whole application on random loopback ports with every credential configured, under the requests
 * an attacker (or a broken client) sends: slow bodies holding every application thread, malformed
 * requests Tomcat rejects itself, bodies that cannot be read, secrets in the wrong places. Probes keep
 * answering on the management port, every rejection is a problem detail, and the log holds no secret and
 * no stack trace for a client's mistake.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.datasource.url=jdbc:h2:mem:hostile-clients;DB_CLOSE_DELAY=-1",
            "spring.datasource.password=" + HostileClientsTest.DATABASE_PASSWORD,
            "snowhook.loads.workers=0",
            "snowhook.security.intake-token=" + HostileClientsTest.INTAKE_TOKEN,
            "snowhook.security.intake-username=argo",
            "snowhook.security.intake-password=" + HostileClientsTest.INTAKE_PASSWORD,
            "snowhook.security.operator-token=" + HostileClientsTest.OPERATOR_TOKEN,
            "snowhook.security.operator-username=ops",
            "snowhook.security.operator-password=" + HostileClientsTest.OPERATOR_PASSWORD,
            "snowhook.storage.accounts[0].name=devstoreaccount1",
            "snowhook.storage.accounts[0].endpoint=http://127.0.0.1:10000/devstoreaccount1",
            "snowhook.storage.accounts[0].containers[0]=factory-uploads",
            "snowhook.storage.accounts[0].connection-string=DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
                    + "AccountKey=" + HostileClientsTest.AZURITE_KEY
                    + ";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;",
            "snowhook.storage.accounts[1].name=javasipsfactory",
            "snowhook.storage.accounts[1].endpoint=http://127.0.0.1:9/javasipsfactory",
            "snowhook.storage.accounts[1].containers[0]=west-uploads",
            "snowhook.storage.accounts[1].sas-token=sv=2024-08-04&ss=b&srt=co&sp=rl&sig=" + HostileClientsTest.SAS_SIG,
            // Fewer application threads than attackers, as 200 slow clients against Tomcat's default 200.
            "server.tomcat.threads.max=20",
            "server.tomcat.threads.min-spare=5",
            "snowhook.http.body-read-timeout=5s"
        })
@ExtendWith(OutputCaptureExtension.class)
class HostileClientsTest {

    static final String INTAKE_TOKEN = "intake-token-3c9f1e0a77";
    static final String INTAKE_PASSWORD = "intake-password-7aa1c2b3";
    static final String OPERATOR_TOKEN = "operator-token-91b0d4e6f2";
    static final String OPERATOR_PASSWORD = "operator-password-5e8d2c41";
    static final String DATABASE_PASSWORD = "ledger-password-0f3b9c1d";
    static final String SAS_SIG = "k2V9sQm1Zx7Rt4Lw0pAa8Yb3Nc6Dd5Ee2Ff1Gg0Hh9I%3D";
    static final String CALLER_SIG = "Zq8Wm2Xn4Bv6Cc1Dd3Ee5Ff7Gg9Hh0Ii2Jj4Kk6Ll8%3D";
    static final String AZURITE_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    static final int ATTACKERS = 100;
    static final Duration ATTACK = Duration.ofSeconds(10);

    @LocalServerPort
    int port;

    /** The management server's port (the application's own when there is none, as before it had one). */
    @Value("${local.management.port:${local.server.port}}")
    int managementPort;

    final HttpClient http = HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    int status(int port, String path, String... authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (authorization.length > 0) {
            request.header("Authorization", authorization[0]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void servesTheActuatorOnItsOwnPortWithProbesOpenAndTheRestForTheOperatorOnly() throws Exception {
        assertThat(managementPort).isNotEqualTo(port);
        assertThat(status(managementPort, "/actuator/health/liveness")).isEqualTo(200);
        assertThat(status(managementPort, "/actuator/health/readiness")).isIn(200, 503);
        assertThat(status(managementPort, "/actuator/prometheus")).isEqualTo(401);
        assertThat(status(managementPort, "/actuator/metrics")).isEqualTo(401);
        assertThat(status(managementPort, "/actuator/prometheus", "Bearer " + INTAKE_TOKEN))
                .isEqualTo(403);
        assertThat(status(managementPort, "/actuator/prometheus", "Bearer " + OPERATOR_TOKEN + "x"))
                .isEqualTo(401);
        assertThat(status(managementPort, "/actuator/prometheus", "Bearer " + OPERATOR_TOKEN))
                .isEqualTo(200);
        assertThat(status(managementPort, "/actuator/metrics", SecurityChainTest.basic("ops", OPERATOR_PASSWORD)))
                .isEqualTo(200);
        HttpResponse<String> details = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(details.body()).doesNotContain("components");
        // Nothing of the actuator on the application port.
        assertThat(status(port, "/actuator/health/liveness")).isIn(401, 404);
        assertThat(status(port, "/actuator/prometheus", "Bearer " + OPERATOR_TOKEN))
                .isEqualTo(404);
    }

    @Test
    void answersLivenessOnTheManagementPortWithinASecondWhileSlowClientsHoldEveryApplicationThread() throws Exception {
        List<Socket> attackers = new ArrayList<>();
        try {
            for (int i = 0; i < ATTACKERS; i++) {
                attackers.add(attacker());
            }
            liveness(); // the management server's first request initialises its servlet, unlike a probe under attack
            // The application port is indeed saturated: a request there waits behind the attackers.
            assertThat(appAnswersWithin(Duration.ofSeconds(1))).isFalse();
            long end = System.nanoTime() + ATTACK.toNanos();
            List<Long> probes = new ArrayList<>();
            while (System.nanoTime() < end) {
                for (int i = 0; i < attackers.size(); i++) {
                    if (!trickle(attackers.get(i))) {
                        // cut off by the body read timeout: the attacker comes back at once
                        attackers.get(i).close();
                        attackers.set(i, attacker());
                    }
                }
                probes.add(liveness());
                Thread.sleep(1000);
            }
            System.out.println("liveness under " + ATTACKERS + " slow clients, ms: " + probes);
            assertThat(probes).hasSizeGreaterThanOrEqualTo(5).allMatch(ms -> ms < 1000);
        } finally {
            for (Socket socket : attackers) {
                socket.close();
            }
        }
    }

    /** Milliseconds the liveness probe took to answer 200 on the management port. */
    private long liveness() throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpResponse<String> liveness = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/liveness"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertThat(liveness.statusCode()).isEqualTo(200);
        return millis;
    }

    /** A client that sends its headers and then its body one byte at a time. */
    private Socket attacker() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.getOutputStream()
                .write(("POST /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + INTAKE_TOKEN
                                + "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        return socket;
    }

    /** @return false when the server has closed the connection */
    private static boolean trickle(Socket socket) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write('[');
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void cutsOffASlowBodyAfterTheReadTimeoutAndClosesItsConnection() throws Exception {
        try (Socket socket = attacker()) {
            socket.setSoTimeout(500);
            long start = System.nanoTime();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            boolean closed = false;
            while (!closed && Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(30)) < 0) {
                if (!trickle(socket)) {
                    closed = true;
                    break;
                }
                try {
                    byte[] buffer = new byte[4096];
                    int n = socket.getInputStream().read(buffer);
                    if (n < 0) {
                        closed = true;
                    } else {
                        answer.write(buffer, 0, n);
                    }
                } catch (SocketTimeoutException e) {
                    // nothing yet
                } catch (IOException e) {
                    closed = true;
                }
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.println("slow body cut off and closed after " + took.toMillis() + " ms");
            assertThat(closed).as("the server closed the connection").isTrue();
            // 5 s of body read timeout and a margin for a loaded machine; draining the body would take hours.
            assertThat(took).isLessThan(Duration.ofSeconds(20));
            assertProblem(answer.toString(StandardCharsets.ISO_8859_1), 408);
        }
    }

    private boolean appAnswersWithin(Duration timeout) throws InterruptedException {
        try {
            http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/loads/summary"))
                            .timeout(timeout)
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** One raw request and the server's whole answer (the connection is closed after it). */
    String raw(int port, String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    answer.write(buffer, 0, n);
                    if (complete(answer.toString(StandardCharsets.ISO_8859_1))) {
                        break;
                    }
                }
            } catch (SocketTimeoutException | java.net.SocketException e) {
                // what arrived is the answer
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** An answer with a Content-Length whose body has fully arrived. */
    private static boolean complete(String answer) {
        int headersEnd = answer.indexOf("\r\n\r\n");
        if (headersEnd < 0) {
            return false;
        }
        String headers = answer.substring(0, headersEnd).toLowerCase(Locale.ROOT);
        int at = headers.indexOf("content-length:");
        if (at < 0) {
            return false;
        }
        int lineEnd = headers.indexOf("\r\n", at);
        String value = headers.substring(at + 15, lineEnd < 0 ? headers.length() : lineEnd)
                .trim();
        return answer.length() - headersEnd - 4 >= Integer.parseInt(value);
    }

    static String get(String target, String... headers) {
        StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        return request.append("Connection: close\r\n\r\n").toString();
    }

    static String post(String target, String contentType, String body, String... headers) {
        StringBuilder request = new StringBuilder("POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        if (contentType != null) {
            request.append("Content-Type: ").append(contentType).append("\r\n");
        }
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return request.append("Content-Length: ")
                .append(bytes.length)
                .append("\r\nConnection: close\r\n\r\n")
                .append(new String(bytes, StandardCharsets.ISO_8859_1))
                .toString();
    }

    static void assertProblem(String answer, int status) {
        assertThat(answer).as(answer).startsWith("HTTP/1.1 " + status + " ");
        assertThat(answer.toLowerCase(Locale.ROOT))
                .as(answer)
                .contains("content-type: application/problem+json")
                .contains("\"type\":\"https://snowhook.io/problems/")
                .contains("\"status\":" + status);
    }

    @Test
    void answersEveryHostileRequestWithAProblemAndLogsNoSecretAndNoStackTrace(CapturedOutput output) throws Exception {
        String operator = "Authorization: Bearer " + OPERATOR_TOKEN;
        String intake = "Authorization: Bearer " + INTAKE_TOKEN;
        List<String> answers = new ArrayList<>();

        // A malformed header line next to the credential, and one in the credential's own line.
        answers.add(raw(port, get("/loads", operator, "Bad Header Line")));
        answers.add(raw(port, get("/loads", "Authorization: Bearer " + OPERATOR_TOKEN + "\u0001")));
        answers.add(raw(port, get("/loads", "Authorization : Bearer " + INTAKE_TOKEN)));
        answers.add(raw(port, "GET /loads?sig=" + CALLER_SIG + "{} HTTP/1.1\r\nHost: a\r\n\r\n"));
        answers.add(raw(managementPort, get("/actuator/health", "Authorization: Basic " + INTAKE_PASSWORD + "\u0001")));
        // SAS signatures in URLs /ingestions refuses.
        for (String url : List.of(
                "ftp://javasipsfactory.blob.core.windows.net/west-uploads/orders/a.csv?sv=1&sig=" + CALLER_SIG,
                "https://javasipsfactory.blob.core.windows.net/west-uploads?sig=" + CALLER_SIG,
                "https://elsewhere.blob.core.windows.net/west-uploads/orders/a.csv?sig=" + CALLER_SIG,
                "https://javasipsfactory.blob.core.windows.net/west-uploads/returns/a.csv?sig=" + CALLER_SIG)) {
            String answer = raw(port, post("/ingestions", "application/json", "{\"url\":\"" + url + "\"}", operator));
            assertThat(answer).as(answer).matches("(?s)HTTP/1.1 4\\d\\d .*").doesNotContain(CALLER_SIG);
            answers.add(answer);
        }

        for (String answer : answers) {
            assertThat(answer).as(answer).matches("(?s)HTTP/1.1 4\\d\\d .*");
        }
        assertThat(output.getAll())
                .doesNotContain(
                        INTAKE_TOKEN,
                        INTAKE_PASSWORD,
                        OPERATOR_TOKEN,
                        OPERATOR_PASSWORD,
                        DATABASE_PASSWORD,
                        SAS_SIG,
                        CALLER_SIG,
                        AZURITE_KEY);
        assertThat(output.getAll()).doesNotContainPattern("\\n\\s+at [a-z]");
    }

    @Test
    void answersTomcatsOwnRejectionsWithProblemDetails() throws Exception {
        assertProblem(raw(port, "POST /events HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n{}"), 400);
        assertProblem(
                raw(port, "POST /events HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"), 400);
        assertProblem(raw(port, "GET /loads HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
        assertProblem(raw(port, get("/loads/a%2Fb")), 400);
        assertProblem(raw(port, get("/loads/a%00b")), 400);
        assertProblem(raw(port, get("/loads", "X-Padding: " + "x".repeat(20_000))), 400);
        assertProblem(raw(managementPort, "GET /actuator/health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
    }

    @Test
    void answersBadInputWith400Problems() throws Exception {
        String operator = "Authorization: Bearer " + OPERATOR_TOKEN;
        assertProblem(raw(port, get("/loads?blob=%ZZ", operator)), 400);
        assertProblem(
                raw(
                        port,
                        post("/events", "multipart/form-data", "--x\r\n\r\n", "Authorization: Bearer " + INTAKE_TOKEN)),
                400);
        String name = "orders/" + "n".repeat(1_100) + ".csv";
        assertProblem(
                raw(
                        port,
                        post(
                                "/ingestions",
                                "application/json",
                                "{\"url\":\"http://127.0.0.1:10000/devstoreaccount1/factory-uploads/" + name + "\"}",
                                operator)),
                400);
    }

    @Test
    void boundsEveryBody() throws Exception {
        String operator = "Authorization: Bearer " + OPERATOR_TOKEN;
        String big = "{\"url\":\"" + "x".repeat(100_000) + "\"}";
        String answer = raw(port, post("/ingestions", "application/json", big, operator));
        assertProblem(answer, 413);
        String chunked = "POST /ingestions HTTP/1.1\r\nHost: a\r\n" + operator
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + Integer.toHexString(big.length()) + "\r\n" + big + "\r\n0\r\n\r\n";
        assertProblem(raw(port, chunked), 413);
        assertProblem(
                raw(port, post("/loads/" + UUID.randomUUID() + "/reingest", "application/json", big, operator)), 413);
    }

    @Test
    void answersABadChunkHeaderWith400AndNoStackTrace(CapturedOutput output) throws Exception {
        String request = "POST /events HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + INTAKE_TOKEN
                + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n";
        String answer = raw(port, request);
        assertThat(answer).startsWith("HTTP/1.1 400 ");
        assertThat(output.getAll()).doesNotContain(" ERROR ").doesNotContainPattern("\\n\\s+at [a-z]");
    }
}
