package io.snowhook.warehouse.snowflake.fake;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.duckdb.DuckDBConnection;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A loopback server speaking enough of Snowflake's REST protocol for the real {@code snowflake-jdbc} driver:
 * login, session renewal, queries, PUT into a LOCAL_FS stage folder, COPY with per-file results executed against
 * an embedded DuckDB (so tests can count rows), REMOVE, explicit transactions and DELETE. It records every SQL
 * text it receives and injects faults: HTTP errors, slow answers, refused logins, expired sessions and
 * compilation errors. Data errors are real: a value DuckDB cannot cast to the column type fails the file the way
 * Snowflake's {@code ON_ERROR} says.
 */
public final class SnowflakeFake implements AutoCloseable {

    static final long SELECT = 0x1000;
    static final long DELETE = 0x3300;
    static final long COPY = 0x3600;
    static final long TCL = 0x5000;
    static final long DDL = 0x6000;
    static final long PUT = 0x7102;
    static final long REMOVE = 0x7103;
    static final long LIST = 0x7104;

    /**
     * An error Snowflake or the driver raises, as the driver surfaces it ({@code SQLException} vendor code and
     * SQLState). Codes and texts follow Snowflake's error messages as they appear in its documentation and
     * knowledge base, and {@code net.snowflake.client.api.exception.ErrorCode} for the driver's own.
     */
    public record Failure(String code, String sqlState, String message) {

        /** 091003: Snowflake may not read the stage's container (e.g. the role assignment is missing). */
        public static final Failure STAGE_ACCESS_FAILED = new Failure(
                "091003",
                "22000",
                "Failure using stage area. Cause: [This request is not authorized to perform this operation using"
                        + " this permission. (Status Code: 403; Error Code: AuthorizationPermissionMismatch)]");

        /** 090073: the warehouse's resource monitor has used up its credit quota. */
        public static final Failure QUOTA_EXCEEDED = new Failure(
                "090073",
                "22000",
                "Warehouse 'WH' cannot be resumed because resource monitor 'SNOWHOOK_RM' has exceeded its quota.");

        /** 390111: the session no longer exists (e.g. ended by an administrator, or idle too long). */
        public static final Failure SESSION_GONE =
                new Failure("390111", "08001", "Session no longer exists.  New login required to access the service.");

        /** 390201: the connection's database, schema or warehouse does not exist or is not authorised. */
        public static final Failure OBJECT_DOES_NOT_EXIST =
                new Failure("390201", "08004", "The requested warehouse does not exist or not authorized.");

        /** 390420: a network policy refuses the client's address. */
        public static final Failure IP_NOT_ALLOWED =
                new Failure("390420", "08004", "IP 127.0.0.1 is not allowed to access Snowflake.");

        /**
         * 200044 (driver {@code AZURE_SERVICE_ERROR}): the driver's upload to an Azure stage failed. Snowflake never
         * sends this code; the fake delivers the same {@code SQLException} as the answer to the PUT.
         */
        public static final Failure AZURE_UPLOAD_FAILED = new Failure(
                "200044",
                "58000",
                "Encountered exception during upload: Status code 503, \"<Error><Code>ServerBusy</Code></Error>\"");

        /** 253000 (driver {@code FILE_TRANSFER_ERROR}): a stage upload failed; delivered like 200044. */
        public static final Failure FILE_TRANSFER_FAILED =
                new Failure("253000", "58000", "JDBC driver internal error: Failed to upload file.");

        /** 000625: more than 20 statements wait on one table lock (see the fake's table locks). */
        public static final Failure LOCK_QUEUE_FULL =
                new Failure("000625", "57014", "Statement has locked table and this lock has not yet been released.");
    }

    /**
     * Snowflake queues at most 20 statements on one lock; the next fails with 000625 (57014) "the number of
     * waiters for this lock exceeds the 20 statements limit" (Snowflake knowledge base, "the 20 statements
     * limit"; docs "Transactions", resource locking).
     */
    static final int MAX_LOCK_WAITERS = 20;

    /** Snowflake's default LOCK_TIMEOUT, 43200 seconds (docs "Parameters", LOCK_TIMEOUT). */
    static final long DEFAULT_LOCK_TIMEOUT_SECONDS = 43200;

    private static final Pattern TOKEN = Pattern.compile("Snowflake Token=\"([^\"]+)\"");
    private static final Pattern PUT_COMMAND =
            Pattern.compile("(?is)put\\s+file://(\\S+)\\s+('(?:[^']|'')*'|\\S+)(.*)");
    private static final Pattern REMOVE_COMMAND = Pattern.compile("(?is)remove\\s+(\\S+)\\s*");
    private static final Pattern LIST_COMMAND = Pattern.compile("(?is)list\\s+(\\S+)\\s*");
    private static final Pattern ALTER_SESSION =
            Pattern.compile("(?is)alter\\s+session\\s+set\\s+(\\w+)\\s*=\\s*'?([^']*?)'?\\s*");
    private static final Pattern LOCKING_DML =
            Pattern.compile("(?is)(?:delete\\s+from|update|merge\\s+into)\\s+(\\S+).*");
    private static final DateTimeFormatter LAST_MODIFIED = DateTimeFormatter.ofPattern(
                    "EEE, d MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final Pattern INFO_COLUMNS =
            Pattern.compile("(?i)\"([^\"]+)\"\\.INFORMATION_SCHEMA\\.COLUMNS WHERE");

    final JsonMapper json = JsonMapper.builder().build();
    private final String database;
    private final Path home;
    private final Path stageRoot;
    private final DuckDBConnection duck;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Session> masterTokens = new ConcurrentHashMap<>();
    private final Map<String, Path> externalStages = new ConcurrentHashMap<>();
    private final Map<String, Function<String, byte[]>> externalReaders = new ConcurrentHashMap<>();
    private final List<String> statements = new CopyOnWriteArrayList<>();
    private final List<JsonNode> logins = new CopyOnWriteArrayList<>();
    private final List<String> resultFormats = new CopyOnWriteArrayList<>();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final AtomicInteger openSessions = new AtomicInteger();
    private final Map<String, TableLock> locks = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> loadMetadata = new ConcurrentHashMap<>();
    private final AtomicInteger lockQueueRejections = new AtomicInteger();
    private final AtomicInteger mostLockWaiters = new AtomicInteger();
    private volatile Duration delay = Duration.ZERO;
    private volatile Duration copyTime = Duration.ZERO;
    private volatile boolean refuseLogins;
    private volatile Failure loginFailure;

    /** Starts the fake on a free loopback port; {@code database} becomes the DuckDB catalog name. */
    public SnowflakeFake(Path home, String database) {
        try {
            this.database = database;
            this.home = home;
            this.stageRoot = Files.createDirectories(home.resolve("stages"));
            this.duck =
                    (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + home.resolve(database + ".duckdb"));
            try (Statement s = duck.createStatement()) {
                s.execute("SET threads = 1");
            }
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", this::handle);
            server.setExecutor(executor);
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JDBC URL for the real driver; callers add {@code disablePlatformDetection=true} (mandatory in tests). */
    public String jdbcUrl() {
        return "jdbc:snowflake://127.0.0.1:" + server.getAddress().getPort() + "/?ssl=off";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Runs SQL directly on the embedded DuckDB (create tables, count rows). */
    public void execute(String sql) {
        try (Statement s = duck.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Rows of a query on the embedded DuckDB, each as strings. */
    public List<List<String>> query(String sql) {
        try (Statement s = duck.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            List<List<String>> rows = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public long count(String sql) {
        return Long.parseLong(query(sql).get(0).get(0));
    }

    /** Declares an external stage whose files are those of {@code folder} (a stand-in for the Azure container). */
    public void externalStage(String name, Path folder) {
        externalStages.put(name.toUpperCase(Locale.ROOT), folder);
    }

    /**
     * Declares an external stage whose files are read through {@code blobs} (blob name → bytes, or null when
     * absent) when a COPY names them — e.g. from Azurite, as Snowflake reads from the Azure container.
     */
    public void externalStage(String name, Function<String, byte[]> blobs) {
        Path folder = home.resolve("external").resolve(name.toUpperCase(Locale.ROOT));
        externalStages.put(name.toUpperCase(Locale.ROOT), folder);
        externalReaders.put(name.toUpperCase(Locale.ROOT), blobs);
    }

    /**
     * Copies a file of a reader-backed external stage into its folder, as if the stage had it all along: COPY reads
     * an external stage's files from the cloud storage location as they are when the COPY runs — an external stage
     * is only a reference to that location, it holds no copy of its own ("External stages … reference data files
     * stored in a location outside of Snowflake", https://docs.snowflake.com/en/sql-reference/sql/create-stage;
     * COPY "Loads data from staged files", https://docs.snowflake.com/en/sql-reference/sql/copy-into-table). So a
     * blob overwritten before COPY loads its new content, whatever eTag the statement names.
     */
    void fetch(String reference, String file) {
        String stage = stageName(reference);
        Function<String, byte[]> reader = externalReaders.get(stage);
        if (reader == null) {
            return;
        }
        byte[] bytes = reader.apply(stagePathOf(reference) + file);
        Path path = stageFile(reference, file);
        if (path == null) {
            return;
        }
        if (bytes == null) {
            // the blob is gone from the container: so it is from the stage
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            try {
                Files.createDirectories(path.getParent());
                Files.write(path, bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The folder backing the named internal stage. */
    public Path internalStage(String name) {
        return stageRoot.resolve(name.toUpperCase(Locale.ROOT));
    }

    /** Every file currently in internal stages. */
    public List<Path> stagedFiles() {
        try (Stream<Path> files = Files.walk(stageRoot)) {
            return files.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every SQL text received, in order. */
    public List<String> statements() {
        return List.copyOf(statements);
    }

    /** Statements starting with {@code prefix} (case-insensitive). */
    public List<String> statements(String prefix) {
        return statements.stream()
                .filter(s -> s.strip().regionMatches(true, 0, prefix, 0, prefix.length()))
                .toList();
    }

    public void clearStatements() {
        statements.clear();
    }

    /** The format of every result set answered ({@code arrow} or {@code json}), in order. */
    public List<String> resultFormats() {
        return List.copyOf(resultFormats);
    }

    public void clearResultFormats() {
        resultFormats.clear();
    }

    /** The {@code data} objects of the login requests received. */
    public List<JsonNode> logins() {
        return List.copyOf(logins);
    }

    /** Sessions logged in and not yet closed. */
    public int openSessions() {
        return openSessions.get();
    }

    /** The next {@code times} statements starting with {@code prefix} get HTTP {@code status} instead of an answer. */
    public void failWithHttpStatus(int status, int times, String prefix) {
        faults.add(new Fault(prefix, times, FaultKind.HTTP, status, null));
    }

    /** The next {@code times} statements starting with {@code prefix} answer 390112 (session expired). */
    public void expireSession(int times, String prefix) {
        faults.add(new Fault(prefix, times, FaultKind.SESSION_EXPIRED, 0, null));
    }

    /** Statements starting with {@code prefix} answer a SQL compilation error (001003) until faults are cleared. */
    public void compilationError(String prefix) {
        faults.add(new Fault(prefix, Integer.MAX_VALUE, FaultKind.COMPILATION, 0, null));
    }

    /** Logins are refused with 390100 (incorrect username or password) while set. */
    public void refuseLogins(boolean refuse) {
        this.refuseLogins = refuse;
    }

    /** Logins are refused with {@code failure} (e.g. 390201, 390420) until faults are cleared. */
    public void refuseLogins(Failure failure) {
        this.loginFailure = failure;
    }

    /** The next {@code times} statements starting with {@code prefix} answer {@code failure}. */
    public void failWith(Failure failure, int times, String prefix) {
        faults.add(new Fault(prefix, times, FaultKind.FAILURE, 0, failure));
    }

    /** Every COPY takes this long on the warehouse (holding its transaction's locks meanwhile). */
    public void copyTakes(Duration time) {
        this.copyTime = time;
    }

    /** Statements that failed with 000625 because 20 others already waited on the same table lock. */
    public int lockQueueRejections() {
        return lockQueueRejections.get();
    }

    /** The longest queue of statements seen waiting on one table lock. */
    public int mostLockWaiters() {
        return mostLockWaiters.get();
    }

    /** Every answer waits this long first. */
    public void slow(Duration delay) {
        this.delay = delay;
    }

    public void clearFaults() {
        faults.clear();
        refuseLogins = false;
        loginFailure = null;
        delay = Duration.ZERO;
        copyTime = Duration.ZERO;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        sessions.values().forEach(Session::close);
        try {
            duck.close();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- HTTP ----

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!delay.isZero()) {
                Thread.sleep(delay.toMillis());
            }
            byte[] body = body(exchange);
            String path = exchange.getRequestURI().getPath();
            ObjectNode answer;
            if (path.equals("/session/v1/login-request")) {
                answer = login(body);
            } else if (path.equals("/session/token-request")) {
                answer = renew(exchange, body);
            } else if (path.equals("/queries/v1/query-request")) {
                JsonNode request = json.readTree(body);
                String sql = request.path("sqlText").asString();
                Fault fault = fault(sql);
                if (fault != null && fault.kind == FaultKind.HTTP) {
                    statements.add(sql);
                    exchange.sendResponseHeaders(fault.status, -1);
                    return;
                }
                answer = query(exchange, sql, fault);
            } else if (path.equals("/session")
                    && String.valueOf(exchange.getRequestURI().getQuery()).contains("delete=true")) {
                Session session = session(exchange);
                if (session != null) {
                    sessions.values().removeIf(s -> s == session);
                    session.close();
                }
                answer = success(null);
            } else {
                answer = success(null);
            }
            byte[] bytes = json.writeValueAsBytes(answer);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            exchange.sendResponseHeaders(500, -1);
            throw e;
        }
    }

    private static byte[] body(HttpExchange exchange) throws IOException {
        InputStream in = exchange.getRequestBody();
        if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
            in = new GZIPInputStream(in);
        }
        byte[] bytes = in.readAllBytes();
        if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
            bytes = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes)).readAllBytes();
        }
        return bytes;
    }

    private ObjectNode login(byte[] body) {
        JsonNode data = json.readTree(body).path("data");
        logins.add(data);
        if (refuseLogins) {
            return error("390100", "08004", "Incorrect username or password was specified.");
        }
        Failure refused = loginFailure;
        if (refused != null) {
            return error(refused.code(), refused.sqlState(), refused.message());
        }
        Session session = new Session();
        // Connection properties the driver does not know itself arrive as SESSION_PARAMETERS (snowflake-jdbc
        // SFSession: "any other property is a session parameter"), upper-cased.
        data.path("SESSION_PARAMETERS").properties().forEach(e -> {
            if (e.getValue().isValueNode()) {
                session.parameters.put(
                        e.getKey().toUpperCase(Locale.ROOT), e.getValue().asString());
            }
        });
        String token = "token-" + UUID.randomUUID();
        String master = "master-" + UUID.randomUUID();
        sessions.put(token, session);
        masterTokens.put(master, session);
        openSessions.incrementAndGet();
        ObjectNode result = json.createObjectNode();
        result.put("token", token);
        result.put("masterToken", master);
        result.put("validityInSeconds", 3600);
        result.put("masterValidityInSeconds", 14400);
        result.put("serverVersion", "9.99.0");
        result.put("sessionId", Math.abs(session.hashCode()));
        ArrayNode parameters = result.putArray("parameters");
        parameters.addObject().put("name", "AUTOCOMMIT").put("value", true);
        ObjectNode info = result.putObject("sessionInfo");
        info.put(
                "databaseName", data.path("SESSION_PARAMETERS").path("DATABASE").asString(database));
        info.put("schemaName", "PUBLIC");
        info.put("warehouseName", "WH");
        info.put("roleName", "SNOWHOOK");
        return success(result);
    }

    private ObjectNode renew(HttpExchange exchange, byte[] body) {
        Matcher m = TOKEN.matcher(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        Session session = m.find() ? masterTokens.get(m.group(1)) : null;
        if (session == null) {
            return error("390114", "08001", "Authentication token has expired.  The user must authenticate again.");
        }
        String token = "token-" + UUID.randomUUID();
        String old = json.readTree(body).path("oldSessionToken").asString("");
        sessions.remove(old);
        sessions.put(token, session);
        ObjectNode data = json.createObjectNode();
        data.put("sessionToken", token);
        data.put("validityInSecondsST", 3600);
        data.put("masterToken", m.group(1));
        data.put("validityInSecondsMT", 14400);
        data.put("sessionId", Math.abs(session.hashCode()));
        return success(data);
    }

    private Session session(HttpExchange exchange) {
        Matcher m = TOKEN.matcher(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        return m.find() ? sessions.get(m.group(1)) : null;
    }

    private synchronized Fault fault(String sql) {
        for (Fault fault : faults) {
            if (fault.remaining > 0 && sql.strip().regionMatches(true, 0, fault.prefix, 0, fault.prefix.length())) {
                fault.remaining--;
                return fault;
            }
        }
        return null;
    }

    // ---- statements ----

    private ObjectNode query(HttpExchange exchange, String sql, Fault fault) {
        statements.add(sql);
        if (fault != null && fault.kind == FaultKind.SESSION_EXPIRED) {
            return error("390112", "08001", "Your session has expired. Please login again.");
        }
        if (fault != null && fault.kind == FaultKind.FAILURE) {
            return error(fault.failure.code(), fault.failure.sqlState(), fault.failure.message());
        }
        if (fault != null && fault.kind == FaultKind.COMPILATION) {
            return error(
                    "001003",
                    "42000",
                    "SQL compilation error:\nsyntax error line 1 at position 0 unexpected '"
                            + sql.strip().split("\\s+")[0] + "'.");
        }
        Session session = session(exchange);
        if (session == null) {
            return error("390112", "08001", "Your session has expired. Please login again.");
        }
        ObjectNode answer = statement(session, sql.strip());
        JsonNode data = answer.path("data");
        // Snowflake answers result sets in Arrow unless the session sets JDBC_QUERY_RESULT_FORMAT = JSON (docs
        // "Parameters", JDBC_QUERY_RESULT_FORMAT); PUT and GET answer their command JSON, never a rowset.
        if (answer.path("success").asBoolean() && data.has("rowset")) {
            if (session.json()) {
                resultFormats.add("json");
            } else {
                FakeArrow.toArrow((ObjectNode) data);
                resultFormats.add("arrow");
            }
        }
        return answer;
    }

    private ObjectNode statement(Session session, String text) {
        String verb = text.split("\\s+")[0].toUpperCase(Locale.ROOT);
        try {
            if (session.inTransaction) {
                Matcher dml = LOCKING_DML.matcher(text);
                if (dml.matches()) {
                    String table = unquotedName(dml.group(1));
                    ObjectNode refused =
                            locks.computeIfAbsent(table, t -> new TableLock()).acquire(session, table);
                    if (refused != null) {
                        return refused;
                    }
                }
            }
            return switch (verb) {
                case "PUT" -> put(text);
                case "COPY" -> copy(session, text);
                case "REMOVE" -> remove(text);
                case "LIST" -> list(text);
                case "ALTER" -> alterSession(session, text);
                case "BEGIN", "COMMIT", "ROLLBACK" -> {
                    session.execute(verb.equals("BEGIN") ? "BEGIN TRANSACTION" : verb);
                    if (verb.equals("BEGIN")) {
                        session.inTransaction = true;
                    } else {
                        session.end(verb.equals("COMMIT"));
                    }
                    yield status(TCL, "Statement executed successfully.");
                }
                case "DELETE" -> {
                    int n = session.update(FakeSql.toDuckDb(text));
                    yield rows(DELETE, List.of(column("number of rows deleted", "fixed")), List.of(List.of("" + n)));
                }
                case "SELECT" -> select(session, text);
                default -> {
                    session.execute(FakeSql.toStandardLiterals(text));
                    yield status(DDL, "Statement executed successfully.");
                }
            };
        } catch (FakeCopy.DataError e) {
            return error(e.code, e.sqlState, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error("000604", "57014", "SQL execution canceled");
        } catch (SQLException e) {
            return error("001003", "42000", "SQL compilation error:\n" + e.getMessage());
        }
    }

    private ObjectNode copy(Session session, String text) throws SQLException, InterruptedException {
        if (!copyTime.isZero()) {
            Thread.sleep(copyTime.toMillis());
        }
        FakeCopy copy = new FakeCopy(this, session.connection, database);
        String table = unquotedName(
                text.substring("COPY INTO ".length(), text.indexOf('(')).strip());
        ObjectNode answer = copy.run(text, loadMetadata.getOrDefault(table, Map.of()));
        session.loaded(table, copy.loaded());
        return answer;
    }

    /** {@code ALTER SESSION SET <parameter> = <value>}: the session keeps it (e.g. JDBC_QUERY_RESULT_FORMAT). */
    private ObjectNode alterSession(Session session, String text) throws SQLException {
        Matcher m = ALTER_SESSION.matcher(text);
        if (!m.matches()) {
            session.execute(FakeSql.toStandardLiterals(text));
            return status(DDL, "Statement executed successfully.");
        }
        session.parameters.put(m.group(1).toUpperCase(Locale.ROOT), m.group(2).strip());
        return status(DDL, "Statement executed successfully.");
    }

    private static String unquotedName(String qualified) {
        String[] parts = qualified.split("\\.");
        String last = parts[parts.length - 1].strip();
        return last.startsWith("\"") ? last.substring(1, last.length() - 1) : last.toUpperCase(Locale.ROOT);
    }

    private ObjectNode put(String sql) {
        Matcher m = PUT_COMMAND.matcher(sql);
        if (!m.matches()) {
            return error("001003", "42000", "SQL compilation error: bad PUT");
        }
        String target = m.group(2);
        if (target.startsWith("'")) {
            target = FakeSql.literalAt(target, 0).value();
        }
        Path folder = stageFolder(target);
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ObjectNode data = json.createObjectNode();
        data.put("command", "UPLOAD");
        data.putArray("src_locations").add(m.group(1));
        data.put("autoCompress", true);
        data.put("sourceCompression", "auto_detect");
        data.put("parallel", 4);
        data.put("overwrite", m.group(3).toLowerCase(Locale.ROOT).contains("overwrite=true"));
        ObjectNode stage = data.putObject("stageInfo");
        stage.put("locationType", "LOCAL_FS");
        stage.put("location", folder.toString() + "/");
        stage.put("path", "");
        stage.putNull("region");
        stage.put("isClientSideEncrypted", false);
        stage.putObject("creds");
        data.putNull("encryptionMaterial");
        data.put("statementTypeId", PUT);
        data.put("queryId", UUID.randomUUID().toString());
        return success(data);
    }

    /**
     * {@code REMOVE @stage/path} removes every file whose path in the stage starts with {@code path}, as a string
     * (docs "REMOVE": the path is a prefix; {@code @st/a} also removes {@code @st/ab/c}).
     */
    private ObjectNode remove(String sql) {
        Matcher m = REMOVE_COMMAND.matcher(sql);
        if (!m.matches()) {
            return error("001003", "42000", "SQL compilation error: bad REMOVE");
        }
        List<List<String>> removed = new ArrayList<>();
        try {
            for (Path p : filesUnder(m.group(1))) {
                removed.add(List.of(stageRoot.relativize(p).toString(), "removed"));
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows(REMOVE, List.of(column("name", "text"), column("result", "text")), removed);
    }

    /**
     * {@code LIST @stage/path}: the files under the prefix with Snowflake's columns {@code name} (stage name in
     * lower case, then the path), {@code size}, {@code md5}, {@code last_modified} (RFC 1123, GMT) (docs "LIST").
     */
    private ObjectNode list(String sql) {
        Matcher m = LIST_COMMAND.matcher(sql);
        if (!m.matches()) {
            return error("001003", "42000", "SQL compilation error: bad LIST");
        }
        Path base = stageBase(m.group(1));
        String stage = stageName(m.group(1)).toLowerCase(Locale.ROOT);
        List<List<String>> rows = new ArrayList<>();
        try {
            for (Path p : filesUnder(m.group(1))) {
                rows.add(List.of(
                        stage + "/" + base.relativize(p).toString().replace('\\', '/'),
                        Long.toString(Files.size(p)),
                        md5(Files.readAllBytes(p)),
                        LAST_MODIFIED.format(Files.getLastModifiedTime(p).toInstant())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows(
                LIST,
                List.of(
                        column("name", "text"),
                        column("size", "fixed"),
                        column("md5", "text"),
                        column("last_modified", "text")),
                rows);
    }

    /** The files of the stage whose path starts with the reference's path, compared as strings. */
    private List<Path> filesUnder(String reference) {
        Path base = stageBase(reference);
        String prefix = stagePathOf(reference);
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(base)) {
            return files.filter(Files::isRegularFile)
                    .filter(p ->
                            base.relativize(p).toString().replace('\\', '/').startsWith(prefix))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String md5(byte[] bytes) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("MD5").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private ObjectNode select(Session session, String sql) throws SQLException {
        String duckSql = FakeSql.toStandardLiterals(sql);
        Matcher info = INFO_COLUMNS.matcher(duckSql);
        if (info.find()) {
            duckSql = info.replaceFirst("information_schema.columns WHERE table_catalog = '" + info.group(1) + "' AND");
        }
        try (Statement s = session.connection.createStatement();
                ResultSet rs = s.executeQuery(duckSql)) {
            ResultSetMetaData meta = rs.getMetaData();
            List<ObjectNode> columns = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                int type = meta.getColumnType(i);
                boolean fixed = type == Types.INTEGER
                        || type == Types.BIGINT
                        || type == Types.SMALLINT
                        || type == Types.TINYINT;
                columns.add(column(meta.getColumnLabel(i).toUpperCase(Locale.ROOT), fixed ? "fixed" : "text"));
            }
            List<List<String>> rows = new ArrayList<>();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
            return rows(SELECT, columns, rows);
        }
    }

    /** The folder a stage reference ({@code @"DB"."S"."STAGE"/path} or {@code @STAGE/path}) points at. */
    Path stageFolder(String reference) {
        String path = stagePathOf(reference);
        Path base = stageBase(reference);
        return path.isEmpty() ? base : base.resolve(path);
    }

    /** The folder backing the stage a reference names. */
    Path stageBase(String reference) {
        String stage = stageName(reference);
        return externalStages.getOrDefault(stage, stageRoot.resolve(stage));
    }

    /** The path part of a stage reference, exactly as written ({@code @"S"/loads/x/} → {@code loads/x/}). */
    static String stagePathOf(String reference) {
        String ref = reference.startsWith("@") ? reference.substring(1) : reference;
        boolean quoted = false;
        for (int i = 0; i < ref.length(); i++) {
            char c = ref.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '/' && !quoted) {
                return ref.substring(i + 1);
            }
        }
        return "";
    }

    /**
     * The file a COPY's {@code FILES} entry names: the stage path and the entry glued as strings, as Snowflake
     * does ({@code @st/dir FILES = ('g')} reads {@code dirg}; docs "COPY INTO <table>", FILES: paths are
     * relative to the location, no separator added). Null when the name leaves the stage.
     */
    Path stageFile(String reference, String file) {
        Path base = stageBase(reference);
        Path path = base.resolve(stagePathOf(reference) + file).normalize();
        return path.startsWith(base) ? path : null;
    }

    private static String stageName(String reference) {
        String ref = reference.startsWith("@") ? reference.substring(1) : reference;
        boolean quoted = false;
        int end = ref.length();
        for (int i = 0; i < ref.length(); i++) {
            char c = ref.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '/' && !quoted) {
                end = i;
                break;
            }
        }
        String[] parts = ref.substring(0, end).split("\\.");
        return parts[parts.length - 1].replace("\"", "").toUpperCase(Locale.ROOT);
    }

    // ---- answers ----

    ObjectNode column(String name, String type) {
        ObjectNode c = json.createObjectNode();
        c.put("name", name);
        c.put("database", "");
        c.put("schema", "");
        c.put("table", "");
        c.put("type", type);
        c.put("nullable", true);
        if (type.equals("fixed")) {
            c.put("precision", 38);
            c.put("scale", 0);
            c.putNull("length");
            c.putNull("byteLength");
        } else {
            c.putNull("precision");
            c.putNull("scale");
            c.put("length", 16777216);
            c.put("byteLength", 16777216);
        }
        c.putNull("collation");
        return c;
    }

    ObjectNode rows(long statementType, List<ObjectNode> columns, List<List<String>> rows) {
        ObjectNode data = json.createObjectNode();
        ArrayNode rowtype = data.putArray("rowtype");
        columns.forEach(rowtype::add);
        ArrayNode rowset = data.putArray("rowset");
        for (List<String> row : rows) {
            ArrayNode r = rowset.addArray();
            for (String value : row) {
                if (value == null) {
                    r.addNull();
                } else {
                    r.add(value);
                }
            }
        }
        data.put("total", rows.size());
        data.put("returned", rows.size());
        data.put("queryId", UUID.randomUUID().toString());
        data.put("statementTypeId", statementType);
        data.put("queryResultFormat", "json");
        data.putArray("parameters");
        data.put("finalDatabaseName", database);
        data.put("finalSchemaName", "PUBLIC");
        return success(data);
    }

    ObjectNode status(long statementType, String message) {
        return rows(statementType, List.of(column("status", "text")), List.of(List.of(message)));
    }

    ObjectNode success(JsonNode data) {
        ObjectNode answer = json.createObjectNode();
        answer.put("success", true);
        answer.putNull("code");
        answer.putNull("message");
        if (data == null) {
            answer.putNull("data");
        } else {
            answer.set("data", data);
        }
        return answer;
    }

    ObjectNode error(String code, String sqlState, String message) {
        ObjectNode answer = json.createObjectNode();
        answer.put("success", false);
        answer.put("code", code);
        answer.put("message", message);
        ObjectNode data = answer.putObject("data");
        data.put("errorCode", code);
        data.put("sqlState", sqlState);
        data.put("queryId", UUID.randomUUID().toString());
        return answer;
    }

    private enum FaultKind {
        HTTP,
        SESSION_EXPIRED,
        COMPILATION,
        FAILURE
    }

    private static final class Fault {
        final String prefix;
        final FaultKind kind;
        final int status;
        final Failure failure;
        int remaining;

        Fault(String prefix, int times, FaultKind kind, int status, Failure failure) {
            this.prefix = prefix;
            this.remaining = times;
            this.kind = kind;
            this.status = status;
            this.failure = failure;
        }
    }

    /**
     * A table's lock: DELETE, UPDATE and MERGE take it and hold it until their transaction commits or rolls back
     * (docs "Transactions", resource locking); a statement of another transaction waits for it, up to the session's
     * LOCK_TIMEOUT, and when 20 already wait it fails at once with 000625.
     */
    private final class TableLock {
        Session holder;
        int waiters;

        synchronized ObjectNode acquire(Session session, String table) throws InterruptedException {
            if (holder == null || holder == session) {
                holder = session;
                session.locks.add(this);
                return null;
            }
            if (waiters >= MAX_LOCK_WAITERS) {
                lockQueueRejections.incrementAndGet();
                return error(
                        "000625",
                        "57014",
                        "Statement '" + UUID.randomUUID() + "' has locked table '" + table + "' in transaction "
                                + holder.hashCode() + " and this lock has not yet been released.\nYour statement '"
                                + UUID.randomUUID() + "' was aborted because the number of waiters for this lock"
                                + " exceeds the 20 statements limit.");
            }
            waiters++;
            mostLockWaiters.accumulateAndGet(waiters, Math::max);
            long deadline = System.nanoTime() + session.lockTimeout().toNanos();
            try {
                while (holder != null && holder != session) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        // Snowflake's text for a lock wait that outlived LOCK_TIMEOUT, same code and state.
                        return error(
                                "000625",
                                "57014",
                                "Statement has locked table '" + table + "' in transaction " + holder.hashCode()
                                        + " and this lock has not yet been released. Your statement was aborted"
                                        + " because the lock wait exceeded LOCK_TIMEOUT.");
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
                holder = session;
                session.locks.add(this);
                return null;
            } finally {
                waiters--;
            }
        }

        synchronized void release(Session session) {
            if (holder == session) {
                holder = null;
                notifyAll();
            }
        }
    }

    /** One Snowflake session: its own DuckDB connection, so its explicit transaction is its own. */
    private final class Session {
        final Connection connection;
        final Map<String, String> parameters = new ConcurrentHashMap<>();
        final List<TableLock> locks = new CopyOnWriteArrayList<>();
        final Map<String, Map<String, String>> pendingLoads = new ConcurrentHashMap<>();
        volatile boolean inTransaction;

        Session() {
            try {
                connection = duck.duplicate();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        void execute(String sql) throws SQLException {
            try (Statement s = connection.createStatement()) {
                s.execute(sql);
            }
        }

        int update(String sql) throws SQLException {
            try (Statement s = connection.createStatement()) {
                return s.executeUpdate(sql);
            }
        }

        boolean json() {
            return "JSON".equalsIgnoreCase(parameters.get("JDBC_QUERY_RESULT_FORMAT"));
        }

        Duration lockTimeout() {
            String value = parameters.get("LOCK_TIMEOUT");
            return Duration.ofSeconds(value == null ? DEFAULT_LOCK_TIMEOUT_SECONDS : Long.parseLong(value));
        }

        /**
         * Files a COPY loaded: load metadata of the table once the transaction commits (at once outside one), gone
         * with a rollback — Snowflake records load metadata with the committed load (docs "Loading using the load
         * metadata": a table remembers the files it loaded for 64 days).
         */
        void loaded(String table, Map<String, String> files) {
            if (inTransaction) {
                pendingLoads
                        .computeIfAbsent(table, t -> new ConcurrentHashMap<>())
                        .putAll(files);
            } else {
                loadMetadata
                        .computeIfAbsent(table, t -> new ConcurrentHashMap<>())
                        .putAll(files);
            }
        }

        /** COMMIT or ROLLBACK: load metadata kept or dropped, every table lock released. */
        void end(boolean commit) {
            if (commit) {
                pendingLoads.forEach((table, files) -> loadMetadata
                        .computeIfAbsent(table, t -> new ConcurrentHashMap<>())
                        .putAll(files));
            }
            pendingLoads.clear();
            inTransaction = false;
            for (TableLock lock : locks) {
                lock.release(this);
            }
            locks.clear();
        }

        void close() {
            // a session that ends rolls back its open transaction and so releases its locks
            end(false);
            try {
                if (!connection.isClosed()) {
                    connection.close();
                    openSessions.decrementAndGet();
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
