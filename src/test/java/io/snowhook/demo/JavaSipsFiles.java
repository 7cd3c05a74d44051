package io.snowhook.demo;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Writes JavaSips factory files — the end-of-day stock count ({@code inventory/<factory>/<day>.csv}) and
 * the day's orders ({@code orders/<factory>/<day>.csv}), optionally gzipped — with the column order of
 * the shipped {@code INVENTORY} and {@code ORDERS} tables. Deterministic for a given seed.
 */
public final class JavaSipsFiles {

    static final String INVENTORY_HEADER = "factory_id,sku,product_name,quantity_on_hand,unit,counted_at";
    static final String ORDERS_HEADER = "order_id,factory_id,sku,quantity,unit_price,currency,ordered_at,channel";

    /** One factory: where it is decides its currency and its local end of day. */
    record Factory(String id, String currency, ZoneId zone) {}

    record Product(String sku, String name, String unit, BigDecimal price) {}

    /** A generated file: where it is, the blob name it gets, its table and how many data rows it holds. */
    public record GeneratedFile(Path path, String blobName, String table, long rows, long bytes, boolean gzipped) {}

    private static final List<Factory> SITES = List.of(
            new Factory("hamburg", "EUR", ZoneId.of("Europe/Berlin")),
            new Factory("porto", "EUR", ZoneId.of("Europe/Lisbon")),
            new Factory("austin", "USD", ZoneId.of("America/Chicago")),
            new Factory("osaka", "JPY", ZoneId.of("Asia/Tokyo")),
            new Factory("pune", "INR", ZoneId.of("Asia/Kolkata")),
            new Factory("leeds", "GBP", ZoneId.of("Europe/London")),
            new Factory("krakow", "PLN", ZoneId.of("Europe/Warsaw")),
            new Factory("curitiba", "BRL", ZoneId.of("America/Sao_Paulo")));

    private static final List<Product> CATALOGUE = List.of(
            new Product("JS-ESP-100", "Espresso Pro 100", "pcs", new BigDecimal("449.00")),
            new Product("JS-ESP-200", "Espresso Pro 200 Dual Boiler", "pcs", new BigDecimal("1199.00")),
            new Product("JS-FLT-110", "Filter Classic 1.2 l", "pcs", new BigDecimal("89.90")),
            new Product("JS-GRD-300", "Burr Grinder 300", "pcs", new BigDecimal("229.00")),
            new Product("JS-MLK-050", "Milk Frother", "pcs", new BigDecimal("59.00")),
            new Product("JS-KTL-120", "Gooseneck Kettle 1 l", "pcs", new BigDecimal("79.00")),
            new Product("JS-TMP-058", "Tamper 58 mm", "pcs", new BigDecimal("34.50")),
            new Product("JS-PTF-058", "Portafilter 58 mm, bottomless", "pcs", new BigDecimal("64.00")),
            new Product("JS-CAR-010", "Water Filter Cartridge", "pcs", new BigDecimal("12.90")),
            new Product("JS-DSC-500", "Descaler 500 ml", "bottle", new BigDecimal("9.90")),
            new Product("JS-PPR-100", "Paper Filters No. 4 (100)", "pack", new BigDecimal("3.49")),
            new Product("JS-BNS-HB1", "House Blend Beans 1 kg", "bag", new BigDecimal("24.90")));

    private static final List<String> VARIANTS =
            List.of("black", "white", "steel", "copper", "red", "sage", "matte", "navy");
    private static final List<String> CHANNELS =
            List.of("web", "web", "web", "retail", "retail", "wholesale", "marketplace");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ISO_LOCAL_DATE;

    private JavaSipsFiles() {}

    /** The first {@code count} factories; beyond the named sites, numbered ones ({@code hamburg-2} …). */
    static List<Factory> factories(int count) {
        List<Factory> factories = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Factory site = SITES.get(i % SITES.size());
            String id = i < SITES.size() ? site.id() : site.id() + "-" + (i / SITES.size() + 1);
            factories.add(new Factory(id, site.currency(), site.zone()));
        }
        return factories;
    }

    /** {@code count} products: the catalogue first, then colour variants, then numbered ones. */
    static List<Product> products(int count) {
        List<Product> products = new ArrayList<>();
        for (int i = 0; products.size() < count; i++) {
            Product base = CATALOGUE.get(i % CATALOGUE.size());
            int round = i / CATALOGUE.size();
            if (round == 0) {
                products.add(base);
            } else {
                String variant = round <= VARIANTS.size() ? VARIANTS.get(round - 1) : "v" + round;
                products.add(new Product(
                        base.sku() + "-" + variant.toUpperCase(),
                        base.name() + ", " + variant,
                        base.unit(),
                        base.price()));
            }
        }
        return products;
    }

    static String inventoryBlob(Factory factory, LocalDate day, boolean gzip) {
        return "inventory/" + factory.id() + "/" + DAY.format(day) + ".csv" + (gzip ? ".gz" : "");
    }

    static String ordersBlob(Factory factory, LocalDate day, boolean gzip) {
        return "orders/" + factory.id() + "/" + DAY.format(day) + ".csv" + (gzip ? ".gz" : "");
    }

    /** The factory's stock count at 22:00 local time: one row per product. */
    static GeneratedFile inventory(Path root, Factory factory, LocalDate day, int rows, boolean gzip, long seed)
            throws IOException {
        String blob = inventoryBlob(factory, day, gzip);
        Path path = root.resolve(blob);
        Random random = new Random(seed ^ blob.hashCode());
        String countedAt = ZonedDateTime.of(day, LocalTime.of(22, 0), factory.zone())
                .toInstant()
                .toString();
        try (Writer out = writer(path, gzip)) {
            out.write(INVENTORY_HEADER);
            out.write('\n');
            for (Product product : products(rows)) {
                int quantity = product.unit().equals("pcs") ? random.nextInt(400) : 200 + random.nextInt(4000);
                out.write(String.join(
                        ",",
                        factory.id(),
                        product.sku(),
                        csv(product.name()),
                        Integer.toString(quantity),
                        product.unit(),
                        countedAt));
                out.write('\n');
            }
        }
        return new GeneratedFile(path, blob, "INVENTORY", rows, Files.size(path), gzip);
    }

    /**
     * The factory's orders of the day, in time order; {@code rows} orders, or — when {@code minBytes} is
     * positive — as many as it takes to reach that size (the benchmark's large file).
     */
    static GeneratedFile orders(
            Path root, Factory factory, LocalDate day, long rows, long minBytes, boolean gzip, long seed)
            throws IOException {
        String blob = ordersBlob(factory, day, gzip);
        Path path = root.resolve(blob);
        Random random = new Random(seed ^ blob.hashCode());
        List<Product> products = products(Math.min(48, Math.max(12, (int) Math.min(rows, 48))));
        long startOfDay = ZonedDateTime.of(day, LocalTime.MIDNIGHT, factory.zone())
                .toInstant()
                .toEpochMilli();
        long dayMillis = 24L * 3600 * 1000;
        String prefix = factory.id() + "-" + DAY.format(day).replace("-", "") + "-";
        long written = 0;
        try (CountingWriter out = new CountingWriter(writer(path, false))) {
            out.write(ORDERS_HEADER);
            out.write('\n');
            StringBuilder line = new StringBuilder(128);
            while (minBytes > 0 ? out.chars() < minBytes : written < rows) {
                written++;
                Product product = products.get(random.nextInt(products.size()));
                String channel = CHANNELS.get(random.nextInt(CHANNELS.size()));
                int quantity = channel.equals("wholesale") ? 10 + random.nextInt(190) : 1 + random.nextInt(4);
                BigDecimal price = product.price()
                        .multiply(BigDecimal.valueOf(90 + random.nextInt(21)))
                        .divide(BigDecimal.valueOf(100), 2, RoundingMode.HALF_UP);
                // Times rise through the day: order n of an expected total lands at n / total of the day.
                long expected = minBytes > 0 ? Math.max(1, minBytes / 110) : rows;
                long slot = Math.max(1, dayMillis / (expected + 1));
                long at = startOfDay
                        + Math.min(dayMillis - 1, (written * dayMillis) / (expected + 1) + random.nextLong(slot));
                line.setLength(0);
                line.append(prefix)
                        .append(zeroPadded(written))
                        .append(',')
                        .append(factory.id())
                        .append(',')
                        .append(product.sku())
                        .append(',')
                        .append(quantity)
                        .append(',')
                        .append(price.toPlainString())
                        .append(',')
                        .append(factory.currency())
                        .append(',')
                        .append(java.time.Instant.ofEpochMilli(at))
                        .append(',')
                        .append(channel)
                        .append('\n');
                out.write(line.toString());
            }
        }
        if (gzip) {
            // Written plain to a side file while counting, then compressed: simpler than counting through gzip.
            gzipInPlace(path);
        }
        return new GeneratedFile(path, blob, "ORDERS", written, Files.size(path), gzip);
    }

    private static String zeroPadded(long n) {
        String digits = Long.toString(n);
        return digits.length() >= 8 ? digits : "00000000".substring(digits.length()) + digits;
    }

    private static String csv(String value) {
        return value.contains(",") || value.contains("\"") ? '"' + value.replace("\"", "\"\"") + '"' : value;
    }

    private static Writer writer(Path path, boolean gzip) throws IOException {
        Files.createDirectories(path.getParent());
        OutputStream out = Files.newOutputStream(path);
        if (gzip) {
            out = new GZIPOutputStream(out, 1 << 16);
        }
        return new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
    }

    private static void gzipInPlace(Path path) throws IOException {
        Path plain = path.resolveSibling(path.getFileName() + ".plain");
        Files.move(path, plain);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(path), 1 << 16)) {
            Files.copy(plain, out);
        }
        Files.delete(plain);
    }

    /** Counts the characters written (ASCII here, so bytes) to stop a size-bounded file. */
    private static final class CountingWriter extends Writer {
        private final Writer delegate;
        private long chars;

        CountingWriter(Writer delegate) {
            this.delegate = delegate;
        }

        long chars() {
            return chars;
        }

        @Override
        public void write(char[] buffer, int offset, int length) throws IOException {
            delegate.write(buffer, offset, length);
            chars += length;
        }

        @Override
        public void write(String text) throws IOException {
            delegate.write(text);
            chars += text.length();
        }

        @Override
        public void flush() throws IOException {
            delegate.flush();
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }
}
