package io.snowhook.loads.ledger;

import org.springframework.test.context.TestPropertySource;

/** Purging on H2, the embedded default. */
@TestPropertySource(properties = "spring.datasource.url=jdbc:h2:mem:purge-h2;DB_CLOSE_DELAY=-1")
class LoadPurgeH2Test extends LoadPurgeContract {}
