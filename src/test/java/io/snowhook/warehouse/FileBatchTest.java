package io.snowhook.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FileBatchTest {

    static final LoadTarget ORDERS = new LoadTarget("ORDERS", FileFormat.CSV, LoadMode.APPEND, Staging.INTERNAL);
    static final LoadTarget INVENTORY = new LoadTarget("INVENTORY", FileFormat.CSV, LoadMode.REPLACE, Staging.INTERNAL);

    @Test
    void holdsOneToAThousandFilesOfItsTargetAndContainer() {
        assertThat(batch(ORDERS, files(ORDERS, 1000)).files()).hasSize(1000);
        assertThatThrownBy(() -> batch(ORDERS, files(ORDERS, 1001))).hasMessageContaining("at most 1000");
        assertThatThrownBy(() -> batch(ORDERS, List.of())).hasMessageContaining("at least one");
        assertThatThrownBy(() -> batch(ORDERS, files(INVENTORY, 1))).hasMessageContaining("not for this batch");
        FileLoad once = files(ORDERS, 1).get(0);
        assertThatThrownBy(() -> batch(ORDERS, Collections.nCopies(2, once))).hasMessageContaining("twice");
    }

    @Test
    void replaceModeTakesOneVersionOfABlob() {
        FileLoad v1 = file(INVENTORY, "inventory/f1.csv", "0x1");
        FileLoad v2 = file(INVENTORY, "inventory/f1.csv", "0x2");
        assertThatThrownBy(() -> batch(INVENTORY, List.of(v1, v2))).hasMessageContaining("replace-mode batch twice");
        assertThat(batch(ORDERS, List.of(file(ORDERS, "orders/a.csv", "0x1"), file(ORDERS, "orders/a.csv", "0x2")))
                        .files())
                .hasSize(2);
    }

    @Test
    void aSingleFileBatchCarriesTheLoadsIdAndAttempt() {
        FileLoad file = files(ORDERS, 1).get(0);
        FileBatch batch = FileBatch.of(file);
        assertThat(batch.batchId()).isEqualTo(file.loadId());
        assertThat(batch.attempt()).isEqualTo(file.attempt());
        assertThat(batch.target()).isEqualTo(ORDERS);
    }

    static FileBatch batch(LoadTarget target, List<FileLoad> files) {
        return new FileBatch(UUID.randomUUID(), 1, target, "acc", "c", files);
    }

    static List<FileLoad> files(LoadTarget target, int n) {
        return IntStream.range(0, n)
                .mapToObj(i -> file(target, "f" + i + ".csv", "0x1"))
                .toList();
    }

    static FileLoad file(LoadTarget target, String blob, String etag) {
        return new FileLoad(
                UUID.randomUUID(),
                "acc",
                "c",
                blob,
                etag,
                1,
                target.table(),
                target.format(),
                target.mode(),
                target.staging());
    }
}
