package io.snowhook.loads.web;

import static io.snowhook.loads.ledger.Blobs.event;
import static io.snowhook.loads.ledger.Blobs.uniqueOrders;
import static org.assertj.core.api.Assertions.assertThat;

import io.snowhook.loads.ledger.Blobs;
import io.snowhook.loads.ledger.LedgerSlice;
import io.snowhook.loads.ledger.Load;
import io.snowhook.loads.ledger.LoadService;
import io.snowhook.loads.ledger.LoadStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureJdbc;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;

/**
 * The status API as a web slice over the real ledger (H2): the controllers, MVC and problem details, the
 * ledger and routes, no workers — so loads stay in the state the ledger recorded. Loads are recorded through {@link LoadService}; the
 * database is shared by the tests, so each works on blob names of its own and compares counts before and
 * after.
 */
@WebMvcTest(
        controllers = {LoadsController.class, IngestionsController.class},
        properties = "spring.datasource.url=jdbc:h2:mem:loads-web;DB_CLOSE_DELAY=-1")
@AutoConfigureJdbc
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
@Import({LedgerSlice.class, DependencyHealth.class})
class LoadsControllerTest {

    static final String SEQ_1 = "00000000000004420000000000028961";
    static final String SEQ_2 = "00000000000004420000000000028962";

    @Autowired
    MockMvc mvc;

    @Autowired
    LoadService loads;

    Http http;

    @BeforeEach
    void client() {
        http = new Http(mvc);
    }

    private Load submit(io.snowhook.loads.ledger.IncomingBlob blob) {
        return loads.submit(List.of(blob)).get(0);
    }

    @Test
    void showsALoadWithEveryContractField() {
        Load load = submit(event("ev-" + UUID.randomUUID(), uniqueOrders(), "0x8DCB0001", SEQ_1));

        Http.Reply reply = http.get("/loads/" + load.id());

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().propertyNames())
                .contains(
                        "id",
                        "status",
                        "account",
                        "container",
                        "blob",
                        "etag",
                        "sequencer",
                        "table",
                        "attempts",
                        "rowsLoaded",
                        "rowsParsed",
                        "bytes",
                        "error",
                        "reingestOf",
                        "receivedAt",
                        "startedAt",
                        "finishedAt");
        assertThat(reply.body().path("id").asString()).isEqualTo(load.id().toString());
        assertThat(reply.body().path("account").asString()).isEqualTo(Blobs.ACCOUNT);
        assertThat(reply.body().path("container").asString()).isEqualTo(Blobs.CONTAINER);
        assertThat(reply.body().path("blob").asString()).isEqualTo(load.blob());
        assertThat(reply.body().path("etag").asString()).isEqualTo("0x8DCB0001");
        assertThat(reply.body().path("sequencer").asString()).isEqualTo(SEQ_1);
        assertThat(reply.body().path("table").asString()).isEqualTo("ORDERS");
        assertThat(reply.body().path("receivedAt").asString())
                .isEqualTo(load.receivedAt().toString());
        assertThat(reply.body().path("reingestOf").isNull()).isTrue();
    }

    @Test
    void answersAnUnknownLoadWithANotFoundProblem() {
        UUID id = UUID.randomUUID();

        Http.Reply reply = http.get("/loads/" + id);

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.headers().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(reply.body().path("type").asString()).isEqualTo("https://snowhook.io/problems/load-not-found");
        assertThat(reply.body().path("loadId").asString()).isEqualTo(id.toString());
    }

    @Test
    void answersAnIdThatIsNoUuidWithABadRequestNamingIt() {
        Http.Reply reply = http.get("/loads/not-a-uuid");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body().path("parameter").asString()).isEqualTo("id");
    }

    @Test
    void filtersByBlobPrefixStatusTableAndSinceNewestFirstInPages() {
        String folder = "orders/f" + UUID.randomUUID() + "/";
        List<Load> seeded = new ArrayList<>();
        for (String name : List.of("a.csv", "b.csv", "c.csv")) {
            seeded.add(submit(event(folder + name, "0x1", SEQ_1)));
        }
        Load skipped = submit(Blobs.skipped(folder + "d.csv", "zero-length blob"));

        JsonNode first = http.get(u -> u.path("/loads")
                        .queryParam("blob", folder)
                        .queryParam("size", 2)
                        .build())
                .body();
        JsonNode second = http.get(u -> u.path("/loads")
                        .queryParam("blob", folder)
                        .queryParam("size", 2)
                        .queryParam("page", 1)
                        .build())
                .body();

        assertThat(first.path("totalElements").asLong()).isEqualTo(4);
        assertThat(first.path("totalPages").asInt()).isEqualTo(2);
        assertThat(first.path("page").asInt()).isZero();
        assertThat(first.path("size").asInt()).isEqualTo(2);
        assertThat(ids(first))
                .containsExactly(skipped.id().toString(), seeded.get(2).id().toString());
        assertThat(ids(second))
                .containsExactly(
                        seeded.get(1).id().toString(), seeded.get(0).id().toString());
        assertThat(ids(list("blob", folder, "status", "skipped")))
                .containsExactly(skipped.id().toString());
        assertThat(list("blob", folder, "table", "ORDERS").path("totalElements").asLong())
                .isEqualTo(3);
        assertThat(list("blob", folder, "since", seeded.get(1).receivedAt().toString())
                        .path("totalElements")
                        .asLong())
                .isEqualTo(3);
        assertThat(list("blob", folder, "since", "2999-01-01T00:00:00Z")
                        .path("totalElements")
                        .asLong())
                .isZero();
    }

    @Test
    void rejectsBadQueryParametersNamingThem() {
        assertBadParameter("status", "BOGUS");
        assertBadParameter("since", "yesterday");
        assertBadParameter("size", "501");
        assertBadParameter("size", "0");
        assertBadParameter("page", "-1");
        assertBadParameter("page", "first");
    }

    @Test
    void countsLoadsByTableAndStatus() {
        JsonNode before = http.get("/loads/summary").body();
        String blob = uniqueOrders();
        submit(event(blob, "0x2", SEQ_2));
        submit(event(blob, "0x1", SEQ_1)); // older: SUPERSEDED
        submit(Blobs.skipped(uniqueOrders(), "zero-length blob"));

        Http.Reply reply = http.get("/loads/summary");

        assertThat(reply.status()).isEqualTo(200);
        JsonNode after = reply.body();
        assertThat(after.path("total").asLong(0L))
                .isEqualTo(before.path("total").asLong(0L) + 3);
        assertThat(table(after, "ORDERS").path("total").asLong(0L))
                .isEqualTo(table(before, "ORDERS").path("total").asLong(0L) + 2);
        assertThat(table(after, "ORDERS").path("byStatus").path("SUPERSEDED").asLong(0L))
                .isEqualTo(table(before, "ORDERS")
                                .path("byStatus")
                                .path("SUPERSEDED")
                                .asLong(0L)
                        + 1);
        assertThat(table(after, null).path("byStatus").path("SKIPPED").asLong(0L))
                .isEqualTo(table(before, null).path("byStatus").path("SKIPPED").asLong(0L) + 1);
        assertThat(after.path("byStatus").propertyNames())
                .containsExactlyInAnyOrder(java.util.Arrays.stream(LoadStatus.values())
                        .map(Enum::name)
                        .toArray(String[]::new));
    }

    @Test
    void reingestsAFinishedLoadAndPointsToTheNewOne() {
        Load skipped = submit(Blobs.skipped(uniqueOrders(), "zero-length blob"));

        Http.Reply reply = http.post("/loads/" + skipped.id() + "/reingest");

        assertThat(reply.status()).isEqualTo(202);
        String id = reply.body().path("id").asString();
        assertThat(reply.headers().getLocation()).hasToString("/loads/" + id);
        assertThat(reply.body().path("reingestOf").asString())
                .isEqualTo(skipped.id().toString());
        assertThat(reply.body().path("etag").asString()).isEqualTo(skipped.etag());
        assertThat(reply.body().path("status").asString()).isEqualTo("QUEUED");
        JsonNode again = http.get("/loads/" + id).body();
        assertThat(again.path("reingestOf").asString()).isEqualTo(skipped.id().toString());
        assertThat(again.path("blob").asString()).isEqualTo(skipped.blob());
    }

    @Test
    void refusesToReingestALoadInProgressUnknownOrWithoutRoute() {
        Load queued = submit(event(uniqueOrders(), "0x1", SEQ_1));
        Load noRoute = submit(event("returns/" + UUID.randomUUID() + ".csv", "0x1", SEQ_1));

        Http.Reply inProgress = http.post("/loads/" + queued.id() + "/reingest");
        Http.Reply unknown = http.post("/loads/" + UUID.randomUUID() + "/reingest");
        Http.Reply unroutable = http.post("/loads/" + noRoute.id() + "/reingest");

        assertThat(inProgress.status()).isEqualTo(409);
        assertThat(inProgress.body().path("type").asString()).endsWith("/load-in-progress");
        assertThat(inProgress.body().path("loadId").asString())
                .isEqualTo(queued.id().toString());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().path("type").asString()).endsWith("/load-not-found");
        assertThat(unroutable.status()).isEqualTo(422);
        assertThat(unroutable.body().path("type").asString()).endsWith("/no-route");
        assertThat(unroutable.body().path("detail").asString()).contains(noRoute.blob());
    }

    private JsonNode list(String... params) {
        return http.get(u -> {
                    u.path("/loads");
                    for (int i = 0; i < params.length; i += 2) {
                        u.queryParam(params[i], params[i + 1]);
                    }
                    return u.build();
                })
                .body();
    }

    private void assertBadParameter(String name, String value) {
        Http.Reply reply =
                http.get(u -> u.path("/loads").queryParam(name, value).build());
        assertThat(reply.status()).as("%s=%s", name, value).isEqualTo(400);
        assertThat(reply.headers().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(reply.body().path("type").asString()).isEqualTo("https://snowhook.io/problems/invalid-parameter");
        assertThat(reply.body().path("parameter").asString()).isEqualTo(name);
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("loads").forEach(l -> ids.add(l.path("id").asString()));
        return ids;
    }

    private static JsonNode table(JsonNode summary, @org.jspecify.annotations.Nullable String table) {
        for (JsonNode t : summary.path("tables")) {
            if (table == null
                    ? t.path("table").isNull()
                    : table.equals(t.path("table").asString())) {
                return t;
            }
        }
        return tools.jackson.databind.node.MissingNode.getInstance();
    }

    @Test
    void reingestsTheBlobAsItIsNowWithVersionCurrent() {
        Load skipped = submit(Blobs.skipped(uniqueOrders(), "zero-length blob"));

        Http.Reply reply = http.post("/loads/" + skipped.id() + "/reingest?version=current");

        assertThat(reply.status()).isEqualTo(202);
        assertThat(reply.body().path("reingestOf").asString())
                .isEqualTo(skipped.id().toString());
        assertThat(reply.body().path("etag").isNull()).isTrue();
        assertThat(http.post("/loads/" + skipped.id() + "/reingest?version=newest")
                        .body()
                        .path("parameter")
                        .asString())
                .isEqualTo("version");
    }

    @Test
    void refusesABulkReingestWithoutTableOrSince() {
        Http.Reply noTable = http.post("/loads/reingest?since=2026-11-23T00:00:00Z");
        Http.Reply noSince = http.post("/loads/reingest?table=ORDERS");
        Http.Reply badSince = http.post("/loads/reingest?table=ORDERS&since=yesterday");

        assertThat(List.of(noTable, noSince, badSince)).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body().path("type").asString()).isEqualTo("https://snowhook.io/problems/invalid-parameter");
        });
        assertThat(noTable.body().path("parameter").asString()).isEqualTo("table");
        assertThat(noSince.body().path("parameter").asString()).isEqualTo("since");
    }

    @Test
    void answersABulkReingestWithWhatItQueuedAndSkipped() {
        Http.Reply reply = http.post("/loads/reingest?table=NO_SUCH_TABLE&since=2026-11-23T00:00:00Z&version=current");

        assertThat(reply.status()).isEqualTo(202);
        assertThat(reply.body().path("queued").isArray()).isTrue();
        assertThat(reply.body().path("skipped").isArray()).isTrue();
        assertThat(reply.body().path("more").asBoolean()).isFalse();
    }

    @Test
    void showsStatsOfTheLastHourWithQueueAndHealth() {
        submit(event(uniqueOrders(), "0x1", SEQ_1));

        Http.Reply reply = http.get("/loads/stats");

        assertThat(reply.status()).isEqualTo(200);
        JsonNode stats = reply.body();
        assertThat(stats.path("minutes").size()).isEqualTo(60);
        assertThat(stats.path("queued").asLong()).isPositive();
        assertThat(stats.path("byStatus").path("QUEUED").asLong()).isPositive();
        assertThat(stats.path("health").path("warehouse").asString()).isIn("UP", "DOWN", "UNKNOWN");
        assertThat(stats.path("health").path("storage").asString()).isIn("UP", "DOWN", "UNKNOWN");
        assertThat(stats.path("tables").isArray()).isTrue();
    }
}
