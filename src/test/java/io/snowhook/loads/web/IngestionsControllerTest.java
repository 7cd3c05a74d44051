package io.snowhook.loads.web;

import static io.snowhook.loads.ledger.Blobs.ACCOUNT;
import static io.snowhook.loads.ledger.Blobs.CONTAINER;
import static io.snowhook.loads.ledger.Blobs.uniqueOrders;
import static org.assertj.core.api.Assertions.assertThat;

import io.snowhook.loads.ledger.Blobs;
import io.snowhook.loads.ledger.LedgerSlice;
import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadService;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureJdbc;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;

/** {@code POST /ingestions} over HTTP, on the whole application (the same context as the status API tests). */
@WebMvcTest(
        controllers = {LoadsController.class, IngestionsController.class},
        properties = "spring.datasource.url=jdbc:h2:mem:loads-web;DB_CLOSE_DELAY=-1")
@AutoConfigureJdbc
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
@Import({LedgerSlice.class, DependencyHealth.class})
class IngestionsControllerTest {

    @Autowired
    MockMvc mvc;

    @Autowired
    LoadService loads;

    Http http;

    @BeforeEach
    void client() {
        http = new Http(mvc);
    }

    private static String azuriteUrl(String blob) {
        return "http://127.0.0.1:10000/" + ACCOUNT + "/" + CONTAINER + "/" + blob;
    }

    @Test
    void queuesALoadOfAnUnseenBlobAtItsCurrentVersion() {
        String blob = uniqueOrders();

        Http.Reply reply =
                http.post("/ingestions", "{\"url\": \"" + azuriteUrl(blob) + "\"}", MediaType.APPLICATION_JSON);

        assertThat(reply.status()).isEqualTo(202);
        String id = reply.body().path("id").asString();
        assertThat(reply.headers().getLocation()).hasToString("/loads/" + id);
        assertThat(reply.body().path("blob").asString()).isEqualTo(blob);
        assertThat(reply.body().path("table").asString()).isEqualTo("ORDERS");
        assertThat(reply.body().path("etag").isNull()).isTrue();
        assertThat(reply.body().path("reingestOf").isNull()).isTrue();
        assertThat(http.get("/loads/" + id).status()).isEqualTo(200);
    }

    @Test
    void referencesTheNewestEarlierLoadOfTheBlobAndTakesItsETag() {
        String blob = uniqueOrders();
        loads.submit(List.of(Blobs.event(blob, "0x8DCB0002", "00000000000004420000000000028962")));
        Load older = loads.submit(List.of(Blobs.event(blob, "0x8DCB0001", "00000000000004420000000000028961")))
                .get(0); // SUPERSEDED, so finished, and received last
        String url = "https://" + ACCOUNT + ".blob.core.windows.net/" + CONTAINER + "/" + blob;

        Http.Reply reply = http.post("/ingestions", "{\"url\": \"" + url + "\"}", MediaType.APPLICATION_JSON);

        assertThat(reply.status()).isEqualTo(202);
        assertThat(reply.body().path("reingestOf").asString())
                .isEqualTo(older.id().toString());
        assertThat(reply.body().path("etag").asString()).isEqualTo("0x8DCB0001");
        assertThat(reply.body().path("status").asString()).isEqualTo("QUEUED");
    }

    @Test
    void refusesWhileTheNewestEarlierLoadOfTheBlobIsInProgress() {
        String blob = uniqueOrders();
        Load queued = loads.submit(List.of(Blobs.event(blob, "0x8DCB0001", "00000000000004420000000000028961")))
                .get(0);

        Http.Reply reply =
                http.post("/ingestions", "{\"url\": \"" + azuriteUrl(blob) + "\"}", MediaType.APPLICATION_JSON);

        assertThat(reply.status()).isEqualTo(409);
        assertThat(reply.body().path("type").asString()).endsWith("/load-in-progress");
        assertThat(reply.body().path("loadId").asString()).isEqualTo(queued.id().toString());
    }

    @Test
    void acceptsAJsonBodyWhateverItsContentType() {
        Http.Reply reply =
                http.post("/ingestions", "{\"url\": \"" + azuriteUrl(uniqueOrders()) + "\"}", MediaType.TEXT_PLAIN);

        assertThat(reply.status()).isEqualTo(202);
    }

    @Test
    void rejectsABodyThatIsNotJsonOrHasNoUrl() {
        for (String body : List.of("{not json", "{}", "{\"url\": \"\"}", "[]", "{\"url\": \"a b\"}")) {
            Http.Reply reply = http.post("/ingestions", body, MediaType.APPLICATION_JSON);
            assertThat(reply.status()).as(body).isEqualTo(400);
            assertThat(reply.headers().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(reply.body().path("type").asString())
                    .as(body)
                    .isEqualTo("https://snowhook.io/problems/invalid-request");
        }
    }

    @Test
    void appliesTheAllowListAndRoutes() {
        Http.Reply unknownAccount = http.post(
                "/ingestions",
                "{\"url\": \"https://elsewhere.blob.core.windows.net/" + CONTAINER + "/orders/a.csv\"}",
                MediaType.APPLICATION_JSON);
        Http.Reply untrustedHost = http.post(
                "/ingestions",
                "{\"url\": \"http://attacker.example.com/" + ACCOUNT + "/" + CONTAINER + "/orders/a.csv\"}",
                MediaType.APPLICATION_JSON);
        Http.Reply noRoute = http.post(
                "/ingestions", "{\"url\": \"" + azuriteUrl("returns/a.csv") + "\"}", MediaType.APPLICATION_JSON);
        Http.Reply notABlob =
                http.post("/ingestions", "{\"url\": \"ftp://127.0.0.1/x/y/z\"}", MediaType.APPLICATION_JSON);

        assertThat(unknownAccount.status()).isEqualTo(422);
        assertThat(unknownAccount.body().path("type").asString()).endsWith("/unknown-storage-account");
        assertThat(unknownAccount.body().path("account").asString()).isEqualTo("elsewhere");
        assertThat(untrustedHost.status()).isEqualTo(422);
        assertThat(untrustedHost.body().path("type").asString()).endsWith("/untrusted-blob-url");
        assertThat(noRoute.status()).isEqualTo(422);
        assertThat(noRoute.body().path("type").asString()).endsWith("/no-route");
        assertThat(notABlob.status()).isEqualTo(400);
        assertThat(notABlob.body().path("type").asString()).endsWith("/invalid-blob-url");
    }
}
