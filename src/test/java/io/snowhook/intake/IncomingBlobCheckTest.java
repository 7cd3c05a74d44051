package io.snowhook.intake;

import static io.snowhook.loads.ledger.Blobs.ACCOUNT;
import static io.snowhook.loads.ledger.Blobs.CONTAINER;
import static io.snowhook.loads.ledger.Blobs.event;
import static io.snowhook.loads.ledger.Blobs.uniqueOrders;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snowhook.blob.StorageAccounts;
import io.snowhook.blob.StorageProperties;
import io.snowhook.loads.ledger.Blobs;
import io.snowhook.loads.ledger.IncomingBlob;
import io.snowhook.system.Problem;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What intake checks before the ledger records anything: the allow-list, the URL's host and the values the
 * ledger can store. A plain unit test over the shipped test account (Azurite's, container factory-uploads);
 * {@code IntakeLedgerContract} shows that a refused request leaves nothing in a real ledger.
 */
class IncomingBlobCheckTest {

    private static final String SEQ_1 = "00000000000004420000000000028961";

    final IncomingBlobCheck check =
            new IncomingBlobCheck(new StorageAccounts(new StorageProperties(List.of(new StorageProperties.Account(
                    ACCOUNT,
                    URI.create("http://127.0.0.1:10000/" + ACCOUNT),
                    List.of(CONTAINER),
                    "UseDevelopmentStorage=true",
                    null,
                    null)))));

    @Test
    void refusesARequestWhenOneBlobIsOutsideTheAllowList() {
        String good = uniqueOrders();
        IncomingBlob foreign = Blobs.withAccount(event(uniqueOrders(), "0x1", SEQ_1), "elsewhere", "secrets");

        assertProblem(
                () -> check.admitted(List.of(event(good, "0x1", SEQ_1), foreign)), 422, "unknown-storage-account");
        assertThatThrownBy(() -> check.admitted(List.of(foreign)))
                .isInstanceOfSatisfying(
                        Problem.class,
                        p -> assertThat(p.getBody().getProperties())
                                .containsEntry("account", "elsewhere")
                                .containsEntry("container", "secrets"));
    }

    @Test
    void rejectsABatchWithAFieldLongerThanTheLedgerKeeps() {
        String good = uniqueOrders();
        IncomingBlob tooLong = event("orders/" + "x".repeat(1025), "0x1", SEQ_1);

        assertThatThrownBy(() -> check.admitted(List.of(event(good, "0x1", SEQ_1), tooLong)))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.getStatusCode().value()).isEqualTo(400);
                    assertThat(p.getBody().getType()).isEqualTo(Problem.type("invalid-event"));
                    assertThat(p.getBody().getProperties()).containsEntry("field", "blob");
                });
    }

    /**
     * Values the ledger cannot store faithfully on every database (PostgreSQL refuses NUL in text and a
     * timestamp past year 294276; a lone surrogate cannot be encoded as UTF-8) or the storage client cannot
     * send (a CR or LF in the eTag of an If-Match header), each after a valid event in the same batch.
     */
    static Stream<Arguments> hostileFields() {
        String blob = "orders/fhostile/2026-11-23.csv";
        IncomingBlob base = event("ev-hostile", blob, "0x8DCB0001", SEQ_1);
        return Stream.of(
                Arguments.of("id", with(base, "id", "ev\u0000nul")),
                Arguments.of("blob", with(base, "blob", "orders/f\u0000/nul.csv")),
                Arguments.of("eTag", with(base, "eTag", "0x8DCB\u00000001")),
                Arguments.of("sequencer", with(base, "sequencer", "0000\u00000001")),
                Arguments.of("contentType", with(base, "contentType", "text/csv\u0000")),
                Arguments.of("api", with(base, "api", "PutBlockList\u0000")),
                Arguments.of("blob", with(base, "blob", "orders/f\ud800/lone-high.csv")),
                Arguments.of("blob", with(base, "blob", "orders/f\udc00/lone-low.csv")),
                Arguments.of("eTag", with(base, "eTag", "0x8DCB\r\nX-Injected: 1")),
                Arguments.of("id", with(base, "id", "ev-\ud83d")),
                Arguments.of("eventTime", with(base, "eventTime", Instant.parse("+300000-01-01T00:00:00Z"))),
                Arguments.of("eventTime", with(base, "eventTime", Instant.parse("-0001-01-01T00:00:00Z"))));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("hostileFields")
    void rejectsABatchWithAValueTheLedgerCannotStore(String field, IncomingBlob hostile) {
        String good = uniqueOrders();

        assertThatThrownBy(() -> check.admitted(List.of(event(good, "0x1", SEQ_1), hostile)))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.getStatusCode().value()).isEqualTo(400);
                    assertThat(p.getBody().getType()).isEqualTo(Problem.type("invalid-event"));
                    assertThat(p.getBody().getProperties()).containsEntry("field", field);
                });
    }

    static IncomingBlob with(IncomingBlob b, String field, Object value) {
        return new IncomingBlob(
                field.equals("id") ? (String) value : b.eventId(),
                b.eventType(),
                field.equals("api") ? (String) value : b.api(),
                b.account(),
                b.container(),
                field.equals("blob") ? (String) value : b.blobName(),
                field.equals("eTag") ? (String) value : b.etag(),
                field.equals("sequencer") ? (String) value : b.sequencer(),
                b.contentLength(),
                field.equals("contentType") ? (String) value : b.contentType(),
                field.equals("blob") ? null : b.url(),
                field.equals("eventTime") ? (Instant) value : b.eventTime(),
                b.skipReason());
    }

    @Test
    void leavesOutAnotherEventTypeForAContainerOutsideTheAllowListInsteadOfRefusingTheBatch() {
        String good = uniqueOrders();
        IncomingBlob tierChanged = new IncomingBlob(
                "ev-" + UUID.randomUUID(),
                "Microsoft.Storage.BlobTierChanged",
                null,
                "someoneelse",
                "archive",
                "x.csv",
                null,
                null,
                null,
                null,
                null,
                null,
                "event type Microsoft.Storage.BlobTierChanged is not Microsoft.Storage.BlobCreated");

        List<IncomingBlob> admitted = check.admitted(List.of(tierChanged, event(good, "0x1", SEQ_1)));

        assertThat(admitted)
                .singleElement()
                .satisfies(b -> assertThat(b.blobName()).isEqualTo(good));
    }

    @Test
    void rejectsAContainerOfAKnownAccountThatIsNotConfigured() {
        IncomingBlob other = Blobs.withAccount(event(uniqueOrders(), "0x1", SEQ_1), ACCOUNT, "other-container");

        assertProblem(() -> check.admitted(List.of(other)), 422, "unknown-storage-account");
    }

    @Test
    void rejectsADataUrlOnAnUntrustedHost() {
        String blob = uniqueOrders();
        IncomingBlob evil = Blobs.withUrl(
                event(blob, "0x1", SEQ_1), URI.create("https://attacker.example.com/" + CONTAINER + "/" + blob));

        assertProblem(() -> check.admitted(List.of(evil)), 422, "untrusted-blob-url");
    }

    @Test
    void acceptsTheAccountsPublicAzureHost() {
        String blob = uniqueOrders();
        IncomingBlob azure = Blobs.withUrl(
                event(blob, "0x1", SEQ_1),
                URI.create("https://" + ACCOUNT + ".blob.core.windows.net/" + CONTAINER + "/" + blob));

        assertThat(check.admitted(List.of(azure))).containsExactly(azure);
    }

    static void assertProblem(ThrowingCallable call, int status, String kind) {
        assertThatThrownBy(call).isInstanceOfSatisfying(Problem.class, p -> {
            assertThat(p.getStatusCode().value()).isEqualTo(status);
            assertThat(p.getBody().getType()).isEqualTo(Problem.type(kind));
        });
    }
}
