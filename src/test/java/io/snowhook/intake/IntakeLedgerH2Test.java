package io.snowhook.intake;

import org.springframework.test.context.TestPropertySource;

/** Intake into the ledger on H2, the embedded default. */
@TestPropertySource(properties = "spring.datasource.url=jdbc:h2:mem:intake-ledger-h2;DB_CLOSE_DELAY=-1")
class IntakeLedgerH2Test extends IntakeLedgerContract {}
