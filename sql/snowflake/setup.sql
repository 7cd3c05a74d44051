-- snowhook on Snowflake: every object the loader needs, for the JavaSips example.
--
-- Run the whole file once as an administrator (a user holding ACCOUNTADMIN), e.g.
--   snow sql -f sql/snowflake/setup.sql        (Snowflake CLI)
--   snowsql -f sql/snowflake/setup.sql         (SnowSQL)
-- or "Run all" in a Snowsight worksheet. It is idempotent (IF NOT EXISTS everywhere).
--
-- Two values are specific to your Azure set-up and appear once each below, marked EDIT:
--   * the Azure tenant id of the storage account (storage integration),
--   * the container URL azure://<storage account>.blob.core.windows.net/<container>/ (integration and stage).
-- The script runs with the example values; external-stage loads work once they are yours and the
-- integration's consent is granted (see step 2). Internal-stage loads need no Azure set-up at all.
--
-- The matching snowhook configuration:
--   snowhook.warehouse.type=snowflake
--   snowhook.warehouse.snowflake.account=<org>-<account>
--   snowhook.warehouse.snowflake.user=SNOWHOOK
--   snowhook.warehouse.snowflake.private-key-file=/secrets/snowhook/rsa_key.p8   (step 5)
--   snowhook.warehouse.snowflake.role=SNOWHOOK_LOADER
--   snowhook.warehouse.snowflake.warehouse=SNOWHOOK_WH
--   snowhook.warehouse.snowflake.database=JAVASIPS
--   snowhook.warehouse.snowflake.schema=RAW
--   snowhook.warehouse.snowflake.internal-stage=SNOWHOOK_STAGE
--   snowhook.warehouse.snowflake.external-stages.factory-uploads=FACTORY_UPLOADS_STAGE

-- 1. Compute and storage (owned by SYSADMIN) -----------------------------------------------------
USE ROLE SYSADMIN;

-- Loads are short COPY statements: the smallest size, suspended when idle, resumed on demand.
CREATE WAREHOUSE IF NOT EXISTS SNOWHOOK_WH
    WAREHOUSE_SIZE = XSMALL
    AUTO_SUSPEND = 60
    AUTO_RESUME = TRUE
    INITIALLY_SUSPENDED = TRUE
    -- A load queued this long counts as "warehouse busy" and is retried by snowhook later.
    STATEMENT_QUEUED_TIMEOUT_IN_SECONDS = 300
    COMMENT = 'snowhook loads';

CREATE DATABASE IF NOT EXISTS JAVASIPS COMMENT = 'JavaSips factory data loaded by snowhook';
CREATE SCHEMA IF NOT EXISTS JAVASIPS.RAW COMMENT = 'Files as uploaded by the factories, one row per record';
USE SCHEMA JAVASIPS.RAW;

-- File formats, one per snowhook format. COMPRESSION = AUTO reads plain and gzip files alike.
CREATE FILE FORMAT IF NOT EXISTS SNOWHOOK_CSV
    TYPE = CSV
    SKIP_HEADER = 1
    FIELD_OPTIONALLY_ENCLOSED_BY = '"'
    EMPTY_FIELD_AS_NULL = TRUE
    COMPRESSION = AUTO;

CREATE FILE FORMAT IF NOT EXISTS SNOWHOOK_JSON
    TYPE = JSON
    COMPRESSION = AUTO;

CREATE FILE FORMAT IF NOT EXISTS SNOWHOOK_PARQUET
    TYPE = PARQUET;

-- The internal stage snowhook streams blobs into (routes with staging: internal). Each load writes
-- under loads/<load id>/ and removes its files afterwards.
CREATE STAGE IF NOT EXISTS SNOWHOOK_STAGE
    ENCRYPTION = (TYPE = 'SNOWFLAKE_SSE')
    COMMENT = 'snowhook internal stage: loads/<load id>/, emptied after each load';

-- The JavaSips tables. Data columns first, in CSV column order (CSV maps by position; JSON and Parquet
-- by lower-case field name); then the lineage columns snowhook fills on every row.
CREATE TABLE IF NOT EXISTS INVENTORY (
    factory_id       VARCHAR       NOT NULL,
    sku              VARCHAR       NOT NULL,
    product_name     VARCHAR       NOT NULL,
    quantity_on_hand INTEGER       NOT NULL,
    unit             VARCHAR       NOT NULL,
    counted_at       TIMESTAMP_TZ  NOT NULL,
    _source_blob     VARCHAR       NOT NULL COMMENT '<container>/<blob name> the row came from',
    _etag            VARCHAR       NOT NULL COMMENT 'eTag of the blob version loaded',
    _load_id         VARCHAR       NOT NULL COMMENT 'snowhook load id (GET /loads/{id})',
    _loaded_at       TIMESTAMP_TZ  NOT NULL COMMENT 'when snowhook ran the COPY',
    _row_number      NUMBER        COMMENT 'line/record number in the file (optional lineage column)'
) COMMENT = 'End-of-day stock per factory; route mode replace';

CREATE TABLE IF NOT EXISTS ORDERS (
    order_id         VARCHAR       NOT NULL,
    factory_id       VARCHAR       NOT NULL,
    sku              VARCHAR       NOT NULL,
    quantity         INTEGER       NOT NULL,
    unit_price       NUMBER(12,2)  NOT NULL,
    currency         VARCHAR       NOT NULL,
    ordered_at       TIMESTAMP_TZ  NOT NULL,
    channel          VARCHAR       NOT NULL,
    _source_blob     VARCHAR       NOT NULL COMMENT '<container>/<blob name> the row came from',
    _etag            VARCHAR       NOT NULL COMMENT 'eTag of the blob version loaded',
    _load_id         VARCHAR       NOT NULL COMMENT 'snowhook load id (GET /loads/{id})',
    _loaded_at       TIMESTAMP_TZ  NOT NULL COMMENT 'when snowhook ran the COPY',
    _row_number      NUMBER        COMMENT 'line/record number in the file (optional lineage column)'
) COMMENT = 'Orders per factory and day; route mode append';

-- 2. External stage on the Azure container (routes with staging: external) ---------------------
-- Creating a storage integration needs ACCOUNTADMIN. After this step run
--   DESC STORAGE INTEGRATION SNOWHOOK_AZURE;
-- open AZURE_CONSENT_URL once, and grant the AZURE_MULTI_TENANT_APP_NAME service principal the
-- "Storage Blob Data Reader" role on the container. COPY then reads blobs directly: no bytes pass
-- through snowhook.
USE ROLE ACCOUNTADMIN;

CREATE STORAGE INTEGRATION IF NOT EXISTS SNOWHOOK_AZURE
    TYPE = EXTERNAL_STAGE
    STORAGE_PROVIDER = 'AZURE'
    ENABLED = TRUE
    AZURE_TENANT_ID = '00000000-0000-0000-0000-000000000000'                            -- EDIT
    STORAGE_ALLOWED_LOCATIONS = ('azure://javasipsfactory.blob.core.windows.net/factory-uploads/')  -- EDIT
    COMMENT = 'snowhook: read-only access to the factory uploads container';

GRANT USAGE ON INTEGRATION SNOWHOOK_AZURE TO ROLE SYSADMIN;

USE ROLE SYSADMIN;
USE SCHEMA JAVASIPS.RAW;

-- One external stage per container, named in snowhook.warehouse.snowflake.external-stages.<container>.
-- The URL is the container root: snowhook passes the blob name as the path (FILES = ('<blob name>')).
CREATE STAGE IF NOT EXISTS FACTORY_UPLOADS_STAGE
    URL = 'azure://javasipsfactory.blob.core.windows.net/factory-uploads/'                   -- EDIT
    STORAGE_INTEGRATION = SNOWHOOK_AZURE
    COMMENT = 'snowhook external stage on the factory-uploads container';

-- 3. A least-privilege role for snowhook (SECURITYADMIN manages roles and grants) ----------------
USE ROLE SECURITYADMIN;

CREATE ROLE IF NOT EXISTS SNOWHOOK_LOADER COMMENT = 'snowhook: load files into JAVASIPS.RAW';
GRANT ROLE SNOWHOOK_LOADER TO ROLE SYSADMIN;

-- Run COPY; nothing else (no MODIFY, no OPERATE beyond resuming on demand, which USAGE allows).
GRANT USAGE ON WAREHOUSE SNOWHOOK_WH TO ROLE SNOWHOOK_LOADER;
GRANT USAGE ON DATABASE JAVASIPS TO ROLE SNOWHOOK_LOADER;
GRANT USAGE ON SCHEMA JAVASIPS.RAW TO ROLE SNOWHOOK_LOADER;
-- COPY needs INSERT; the idempotent re-run deletes this blob's earlier rows (DELETE, SELECT).
GRANT SELECT, INSERT, DELETE ON TABLE JAVASIPS.RAW.INVENTORY TO ROLE SNOWHOOK_LOADER;
GRANT SELECT, INSERT, DELETE ON TABLE JAVASIPS.RAW.ORDERS TO ROLE SNOWHOOK_LOADER;
GRANT USAGE ON FILE FORMAT JAVASIPS.RAW.SNOWHOOK_CSV TO ROLE SNOWHOOK_LOADER;
GRANT USAGE ON FILE FORMAT JAVASIPS.RAW.SNOWHOOK_JSON TO ROLE SNOWHOOK_LOADER;
GRANT USAGE ON FILE FORMAT JAVASIPS.RAW.SNOWHOOK_PARQUET TO ROLE SNOWHOOK_LOADER;
-- Internal stage: WRITE for PUT and REMOVE, READ for COPY.
GRANT READ, WRITE ON STAGE JAVASIPS.RAW.SNOWHOOK_STAGE TO ROLE SNOWHOOK_LOADER;
-- External stage: USAGE lets COPY read through it; the integration itself is not granted.
GRANT USAGE ON STAGE JAVASIPS.RAW.FACTORY_UPLOADS_STAGE TO ROLE SNOWHOOK_LOADER;

-- 4. The service user snowhook logs in as (key-pair only: a SERVICE user cannot use a password) --
CREATE USER IF NOT EXISTS SNOWHOOK
    TYPE = SERVICE
    DEFAULT_ROLE = SNOWHOOK_LOADER
    DEFAULT_WAREHOUSE = SNOWHOOK_WH
    DEFAULT_NAMESPACE = JAVASIPS.RAW
    COMMENT = 'snowhook loader';
GRANT ROLE SNOWHOOK_LOADER TO USER SNOWHOOK;

-- 5. Key pair (run outside Snowflake, then paste the public key):
--   openssl genrsa 2048 | openssl pkcs8 -topk8 -v2 aes-256-cbc -inform PEM -out rsa_key.p8   (asks a passphrase)
--   openssl rsa -in rsa_key.p8 -pubout -out rsa_key.pub
-- then, as SECURITYADMIN, with the base64 body of rsa_key.pub (without the BEGIN/END lines):
--   ALTER USER SNOWHOOK SET RSA_PUBLIC_KEY = 'MIIBIjANBgkqh...';
-- Give snowhook rsa_key.p8 (snowhook.warehouse.snowflake.private-key-file, or its PEM text in
-- private-key) and the passphrase (private-key-passphrase), both from a secret store.
