package io.snowhook.warehouse.snowflake.fake;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns a JSON rowset answer into the Arrow answer Snowflake gives by default: {@code queryResultFormat: "arrow"}
 * and {@code rowsetBase64} holding an Arrow IPC stream (schema, then one record batch). Each field carries the
 * metadata the driver reads to pick its converter — {@code logicalType} (FIXED or TEXT), {@code precision},
 * {@code scale}, {@code charLength} (snowflake-jdbc {@code ArrowVectorConverterUtil.initConverter}); FIXED with
 * scale 0 is a 64-bit integer vector, TEXT a UTF-8 vector, as Snowflake sends them.
 */
final class FakeArrow {

    private FakeArrow() {}

    /**
     * Replaces {@code data.rowset} by {@code data.rowsetBase64}, in place. An empty result has an empty {@code
     * rowsetBase64}: no stream at all, as Snowflake sends it (the driver then makes no Arrow chunk).
     */
    static void toArrow(ObjectNode data) {
        JsonNode rowtype = data.path("rowtype");
        ArrayNode rowset = (ArrayNode) data.get("rowset");
        data.put("queryResultFormat", "arrow");
        if (rowset.isEmpty()) {
            data.remove("rowset");
            data.put("rowsetBase64", "");
            return;
        }
        List<Field> fields = new ArrayList<>();
        for (JsonNode column : rowtype) {
            boolean fixed = column.path("type").asString().equals("fixed");
            Map<String, String> metadata = fixed
                    ? Map.of("logicalType", "FIXED", "precision", "38", "scale", "0", "charLength", "0")
                    : Map.of("logicalType", "TEXT", "precision", "0", "scale", "0", "charLength", "16777216");
            ArrowType type = fixed ? new ArrowType.Int(64, true) : ArrowType.Utf8.INSTANCE;
            fields.add(new Field(column.path("name").asString(), new FieldType(true, type, null, metadata), null));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (BufferAllocator allocator = new RootAllocator();
                VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), allocator);
                ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(bytes))) {
            root.allocateNew();
            for (int c = 0; c < fields.size(); c++) {
                FieldVector vector = root.getVector(c);
                for (int r = 0; r < rowset.size(); r++) {
                    JsonNode value = rowset.get(r).get(c);
                    boolean isNull = value == null || value.isNull();
                    if (vector instanceof BigIntVector numbers) {
                        if (isNull) {
                            numbers.setNull(r);
                        } else {
                            numbers.setSafe(r, Long.parseLong(value.asString()));
                        }
                    } else if (vector instanceof VarCharVector texts) {
                        if (isNull) {
                            texts.setNull(r);
                        } else {
                            texts.setSafe(r, value.asString().getBytes(StandardCharsets.UTF_8));
                        }
                    }
                }
                vector.setValueCount(rowset.size());
            }
            root.setRowCount(rowset.size());
            writer.start();
            writer.writeBatch();
            writer.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        data.remove("rowset");
        data.put("rowsetBase64", Base64.getEncoder().encodeToString(bytes.toByteArray()));
        data.put("queryResultFormat", "arrow");
    }
}
