package io.snowhook.loads.ledger;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.stereotype.Component;

/**
 * An H2 ledger file commits to disk on every commit, whatever URL the user gives: H2 otherwise writes a
 * commit up to 500 ms later ({@code WRITE_DELAY}), and a process killed in that window loses loads it has
 * acknowledged with 202. A file URL without {@code WRITE_DELAY} gets {@code WRITE_DELAY=0}; one asking for
 * another delay is refused at start-up, naming {@code spring.datasource.url}; and the database's own setting
 * is checked once connected.
 */
@Component
class LedgerDurability implements BeanPostProcessor {

    private static final Logger log = LoggerFactory.getLogger(LedgerDurability.class);
    private static final Pattern WRITE_DELAY = Pattern.compile("(?i);\\s*WRITE_DELAY\\s*=\\s*([^;]*)");

    /**
     * The URL with per-commit durability: unchanged unless it is an H2 file URL without {@code WRITE_DELAY}.
     *
     * @throws IllegalStateException for an H2 file URL with a {@code WRITE_DELAY} other than 0
     */
    static @Nullable String durable(@Nullable String url) {
        if (url == null || !isH2File(url)) {
            return url;
        }
        Matcher delay = WRITE_DELAY.matcher(url);
        if (!delay.find()) {
            return url + ";WRITE_DELAY=0";
        }
        if (!delay.group(1).strip().equals("0")) {
            throw new IllegalStateException(
                    "spring.datasource.url sets WRITE_DELAY=" + delay.group(1).strip()
                            + ": an H2 ledger file must write every commit at once (WRITE_DELAY=0, or leave it out),"
                            + " or a crash loses events already answered with 202");
        }
        return url;
    }

    /** An embedded H2 database in a file: {@code jdbc:h2:file:…} or {@code jdbc:h2:<path>}, not mem or a server. */
    static boolean isH2File(String url) {
        String u = url.toLowerCase(Locale.ROOT);
        if (!u.startsWith("jdbc:h2:")) {
            return false;
        }
        String rest = u.substring("jdbc:h2:".length());
        return !(rest.startsWith("mem:") || rest.startsWith("tcp:") || rest.startsWith("ssl:"));
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof DataSourceProperties properties) {
            String url = properties.getUrl();
            String durable = durable(url);
            if (durable != null && !durable.equals(url)) {
                log.info("H2 ledger file: WRITE_DELAY=0 added to spring.datasource.url, so every commit is on disk");
                properties.setUrl(durable);
            }
        } else if (bean instanceof HikariDataSource hikari
                && hikari.getJdbcUrl() != null
                && isH2File(hikari.getJdbcUrl())) {
            verify(hikari);
        }
        return bean;
    }

    /** The setting the open database actually runs with (a data source built by hand bypasses the URL fix). */
    private static void verify(HikariDataSource dataSource) {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(
                        "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
            if (rs.next() && !"0".equals(rs.getString(1))) {
                throw new IllegalStateException("the H2 ledger file runs with WRITE_DELAY=" + rs.getString(1)
                        + "; add WRITE_DELAY=0 to spring.datasource.url, or a crash loses events already"
                        + " answered with 202");
            }
        } catch (SQLException e) {
            // Flyway, next, reports a ledger it cannot open, with the database's own message
            log.debug("could not read the H2 ledger's WRITE_DELAY: {}", e.toString());
        }
    }
}
