package io.snowhook.support;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * A JDBC spy: wraps the context's {@link DataSource} and records the SQL of every statement executed
 * through it — each {@code execute…} call one statement, each entry of an {@code executeBatch} one — so a
 * test can count what one operation costs. Registered as a bean ({@code @Import(StatementCounter.class)}).
 *
 * <p>Hand-written (dynamic proxies, some fifty lines): datasource-proxy or p6spy would be a dependency for
 * one test's counting.
 */
public class StatementCounter implements BeanPostProcessor {

    private static final Set<String> EXECUTE = Set.of("execute", "executeQuery", "executeUpdate", "executeLargeUpdate");
    private static final Set<String> BATCH = Set.of("executeBatch", "executeLargeBatch");

    private final List<String> statements = new CopyOnWriteArrayList<>();

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (!(bean instanceof DataSource dataSource) || Proxy.isProxyClass(bean.getClass())) {
            return bean;
        }
        // still closeable, so the context closes the pool behind it
        Class<?>[] types = dataSource instanceof AutoCloseable
                ? new Class<?>[] {DataSource.class, AutoCloseable.class}
                : new Class<?>[] {DataSource.class};
        return Proxy.newProxyInstance(
                DataSource.class.getClassLoader(), types, handler(dataSource, this::connection, (m, a) -> {}));
    }

    /** Forgets what was counted so far. */
    public void reset() {
        statements.clear();
    }

    /** The SQL of every statement executed since the last {@link #reset}, in order. */
    public List<String> statements() {
        return List.copyOf(statements);
    }

    private Object connection(Object result, Method method, Object[] args) {
        return result instanceof Connection c ? proxy(Connection.class, c, this::statement) : result;
    }

    private Object statement(Object result, Method method, Object[] args) {
        if (!(result instanceof Statement statement)) {
            return result;
        }
        String prepared = args != null && args.length > 0 && args[0] instanceof String sql ? sql : null;
        List<String> batch = new CopyOnWriteArrayList<>();
        Class<?> type = result instanceof java.sql.CallableStatement
                ? java.sql.CallableStatement.class
                : result instanceof java.sql.PreparedStatement ? java.sql.PreparedStatement.class : Statement.class;
        return Proxy.newProxyInstance(
                type.getClassLoader(), new Class<?>[] {type}, handler(statement, (r, m, a) -> r, (m, a) -> {
                    String sql = a != null && a.length > 0 && a[0] instanceof String s ? s : prepared;
                    if (m.getName().equals("addBatch")) {
                        batch.add(String.valueOf(sql));
                    } else if (BATCH.contains(m.getName())) {
                        statements.addAll(batch);
                        batch.clear();
                    } else if (EXECUTE.contains(m.getName())) {
                        statements.add(String.valueOf(sql));
                    }
                }));
    }

    private interface Wrap {
        Object wrap(Object result, Method method, Object[] args) throws Exception;
    }

    private interface Before {
        void call(Method method, Object[] args);
    }

    private static <T> T proxy(Class<T> type, T target, Wrap wrap) {
        return proxy(type, target, wrap, (m, a) -> {});
    }

    private static <T> T proxy(Class<T> type, T target, Wrap wrap, Before before) {
        return type.cast(
                Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler(target, wrap, before)));
    }

    private static InvocationHandler handler(Object target, Wrap wrap, Before before) {
        return (p, method, args) -> {
            if (method.getName().equals("unwrap") || method.getName().equals("isWrapperFor")) {
                return method.invoke(target, args);
            }
            before.call(method, args);
            try {
                return wrap.wrap(method.invoke(target, args), method, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
    }
}
