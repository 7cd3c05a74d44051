-- The JavaSips example tables in the embedded DuckDB warehouse, created on every start if missing.
-- Column order is the CSV column order (COPY maps CSV columns by position, JSON and Parquet by name).
-- Every table snowhook loads carries the four lineage columns at the end.

-- Each factory's end-of-day stock count; route mode `replace`: a corrected re-upload of a day's
-- file replaces that file's rows.
CREATE TABLE IF NOT EXISTS INVENTORY (
    factory_id       VARCHAR       NOT NULL,
    sku              VARCHAR       NOT NULL,
    product_name     VARCHAR       NOT NULL,
    quantity_on_hand INTEGER       NOT NULL,
    unit             VARCHAR       NOT NULL,
    counted_at       TIMESTAMPTZ   NOT NULL,
    _source_blob     VARCHAR       NOT NULL,
    _etag            VARCHAR       NOT NULL,
    _load_id         UUID          NOT NULL,
    _loaded_at       TIMESTAMPTZ   NOT NULL
);

-- Each factory's orders of the day; route mode `append`.
CREATE TABLE IF NOT EXISTS ORDERS (
    order_id         VARCHAR       NOT NULL,
    factory_id       VARCHAR       NOT NULL,
    sku              VARCHAR       NOT NULL,
    quantity         INTEGER       NOT NULL,
    unit_price       DECIMAL(12,2) NOT NULL,
    currency         VARCHAR       NOT NULL,
    ordered_at       TIMESTAMPTZ   NOT NULL,
    channel          VARCHAR       NOT NULL,
    _source_blob     VARCHAR       NOT NULL,
    _etag            VARCHAR       NOT NULL,
    _load_id         UUID          NOT NULL,
    _loaded_at       TIMESTAMPTZ   NOT NULL
);
