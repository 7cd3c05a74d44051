package io.snowhook.system;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.stereotype.Component;
import org.springframework.util.ClassUtils;

/**
 * The ledger's connection pool opens its connections through the configured driver class itself, never through
 * {@link DriverManager}: the first {@code DriverManager} call loads and initialises every JDBC driver on the
 * class path (its {@code ServiceLoader}), the Snowflake driver too — about 1,000 classes and a security
 * provider, seconds of start-up — even when the warehouse is DuckDB and Snowflake is never used. Hikari's own
 * driver lookup makes that call; with a data source of its own it does not.
 *
 * <p>Behaves as Hikari's driver lookup does: the same URL, user, password and {@code data-source-properties};
 * the login timeout it sets goes to {@code DriverManager}'s (a plain field), which drivers read.
 */
@Component
class DirectJdbcDriver implements BeanPostProcessor {

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof HikariDataSource hikari
                && hikari.getDataSource() == null
                && hikari.getDataSourceClassName() == null
                && hikari.getDriverClassName() != null
                && hikari.getJdbcUrl() != null) {
            Driver driver = instantiate(hikari.getDriverClassName());
            if (!accepts(driver, hikari.getJdbcUrl())) {
                throw new IllegalStateException("the JDBC driver " + hikari.getDriverClassName()
                        + " does not accept spring.datasource.url; check spring.datasource.driver-class-name");
            }
            Properties properties = new Properties();
            properties.putAll(hikari.getDataSourceProperties());
            DirectDataSource direct = new DirectDataSource(driver, hikari.getJdbcUrl());
            direct.setConnectionProperties(properties);
            hikari.setDataSource(direct);
        }
        return bean;
    }

    private static boolean accepts(Driver driver, String url) {
        try {
            return driver.acceptsURL(url);
        } catch (SQLException e) {
            return false;
        }
    }

    private static Driver instantiate(String className) {
        try {
            Class<?> type = ClassUtils.forName(className, DirectJdbcDriver.class.getClassLoader());
            return (Driver) BeanUtils.instantiateClass(type);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException(
                    "spring.datasource.driver-class-name " + className + " is not on the class path", e);
        }
    }

    /** Hikari passes user and password per connection; the login timeout is DriverManager's, as Hikari sets it. */
    private static final class DirectDataSource extends SimpleDriverDataSource {

        DirectDataSource(Driver driver, String url) {
            super(driver, url);
        }

        @Override
        public void setLoginTimeout(int seconds) {
            DriverManager.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() {
            return DriverManager.getLoginTimeout();
        }
    }
}
