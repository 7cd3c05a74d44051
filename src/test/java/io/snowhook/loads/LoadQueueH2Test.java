package io.snowhook.loads;

import org.springframework.test.context.TestPropertySource;

/** Claiming on H2, the embedded default: a conditional UPDATE per claim. */
@TestPropertySource(properties = "spring.datasource.url=jdbc:h2:mem:queue-h2;DB_CLOSE_DELAY=-1")
class LoadQueueH2Test extends LoadQueueContract {}
