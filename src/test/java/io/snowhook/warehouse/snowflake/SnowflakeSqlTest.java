package io.snowhook.warehouse.snowflake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snowhook.warehouse.snowflake.SnowflakeSql.TableColumns;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnowflakeSqlTest {

    @Test
    void quotesConfiguredIdentifiersInUpperCase() {
        assertThat(SnowflakeSql.identifier("orders")).isEqualTo("\"ORDERS\"");
        assertThat(new SnowflakeSql("db", "raw").qualified("Orders")).isEqualTo("\"DB\".\"RAW\".\"ORDERS\"");
    }

    @Test
    void refusesIdentifiersThatAreNotPlain() {
        assertThatThrownBy(() -> SnowflakeSql.identifier("ORDERS\"; DROP TABLE X; --"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SnowflakeSql.identifier("a.b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writesValuesAsStringConstantsThatCannotEndEarly() {
        assertThat(SnowflakeSql.literal("plain/name.csv")).isEqualTo("'plain/name.csv'");
        assertThat(SnowflakeSql.literal("o'brien")).isEqualTo("'o''brien'");
        assertThat(SnowflakeSql.literal("back\\slash\\'")).isEqualTo("'back\\\\slash\\\\'''");
        assertThat(SnowflakeSql.literal("x'); DROP TABLE T; --")).isEqualTo("'x''); DROP TABLE T; --'");
        assertThat(SnowflakeSql.literal("new\nline\u0000")).isEqualTo("'new\\u000aline\\u0000'");
        assertThat(SnowflakeSql.literal("日本-\ud83d\ude00")).isEqualTo("'日本-\ud83d\ude00'");
    }

    @Test
    void refusesValuesThatAreNotWellFormedUnicode() {
        assertThatThrownBy(() -> SnowflakeSql.literal("broken-\ud800"))
                .isInstanceOf(UnsafeName.class)
                .hasMessage("contains an unpaired UTF-16 surrogate at index 7");
    }

    @Test
    void refusesStagePathsThatWouldAddressAnotherFile() {
        assertThat(SnowflakeSql.stagePath("orders/o'brien.csv")).isEqualTo("'orders/o''brien.csv'");
        assertThatThrownBy(() -> SnowflakeSql.stagePath("orders/../x.csv")).isInstanceOf(UnsafeName.class);
        assertThatThrownBy(() -> SnowflakeSql.stagePath("./x.csv")).isInstanceOf(UnsafeName.class);
        assertThatThrownBy(() -> SnowflakeSql.stagePath("/x.csv")).isInstanceOf(UnsafeName.class);
        assertThatThrownBy(() -> SnowflakeSql.stagePath("a//x.csv")).isInstanceOf(UnsafeName.class);
        assertThatThrownBy(() -> SnowflakeSql.stagePath("a\tb.csv")).isInstanceOf(UnsafeName.class);
    }

    @Test
    void splitsTableColumnsIntoDataAndLineage() {
        TableColumns columns = TableColumns.of(
                "T", List.of("A", "B", "_SOURCE_BLOB", "_ETAG", "_LOAD_ID", "_LOADED_AT", "_ROW_NUMBER"));

        assertThat(columns.data()).containsExactly("A", "B");
        assertThat(columns.hasRowNumber()).isTrue();
        assertThat(TableColumns.of("T", List.of("A", "_source_blob", "_etag", "_load_id", "_loaded_at"))
                        .hasRowNumber())
                .isFalse();
    }

    @Test
    void selectsJsonAndParquetFieldsByLowerCaseName() {
        SnowflakeSql sql = new SnowflakeSql("DB", "PUBLIC");
        var file = new io.snowhook.warehouse.FileLoad(
                java.util.UUID.fromString("00000000-0000-0000-0000-000000000001"),
                "acc",
                "c",
                "x.json",
                "0x1",
                0,
                "T",
                io.snowhook.warehouse.FileFormat.JSON,
                io.snowhook.warehouse.LoadMode.APPEND,
                io.snowhook.warehouse.Staging.INTERNAL);

        String copy = sql.copy(
                file,
                TableColumns.of("T", List.of("ORDER_ID", "_SOURCE_BLOB", "_ETAG", "_LOAD_ID", "_LOADED_AT")),
                "@\"DB\".\"PUBLIC\".\"S\"/p/",
                "'data.json.gz'",
                "SNOWHOOK_JSON",
                "skip_file",
                "2026-11-24 06:00:00.000000+00:00");

        assertThat(copy)
                .isEqualTo("COPY INTO \"DB\".\"PUBLIC\".\"T\" (\"ORDER_ID\", \"_SOURCE_BLOB\", \"_ETAG\", \"_LOAD_ID\","
                        + " \"_LOADED_AT\") FROM (SELECT $1:\"order_id\", 'c/x.json', '0x1',"
                        + " '00000000-0000-0000-0000-000000000001', '2026-11-24 06:00:00.000000+00:00'::TIMESTAMP_TZ"
                        + " FROM @\"DB\".\"PUBLIC\".\"S\"/p/) FILES = ('data.json.gz') FILE_FORMAT = (FORMAT_NAME ="
                        + " \"DB\".\"PUBLIC\".\"SNOWHOOK_JSON\") ON_ERROR = SKIP_FILE FORCE = TRUE");
    }
}
