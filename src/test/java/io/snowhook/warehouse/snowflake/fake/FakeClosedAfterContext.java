package io.snowhook.warehouse.snowflake.fake;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes the static {@link SnowflakeFake} fields of a Spring test class after its application context has closed.
 * The context's Snowflake connections close their sessions with a request to the fake, which the driver retries for
 * minutes when the fake is gone: closed in an {@code @AfterAll} method (which runs before the Spring extension's),
 * the fake was gone when the cached context closed at the JVM's exit, and that held the test JVM past Surefire's
 * exit timeout. Declare it before {@code @SpringBootTest}, with {@code @DirtiesContext} so the context closes after
 * the class: extensions declared first end last.
 */
public final class FakeClosedAfterContext implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) throws IllegalAccessException {
        for (Field field : context.getRequiredTestClass().getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && SnowflakeFake.class.isAssignableFrom(field.getType())) {
                field.setAccessible(true);
                SnowflakeFake fake = (SnowflakeFake) field.get(null);
                if (fake != null) {
                    fake.close();
                }
            }
        }
    }
}
