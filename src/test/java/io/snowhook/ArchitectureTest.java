package io.snowhook;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.ENUMS;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaModifier.PUBLIC;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import org.springframework.stereotype.Repository;

/**
 * Keeps the arrows of docs/architecture.md pointing one way: {@code intake → loads.ledger}, {@code sweep →
 * {loads.ledger, blob, routing}}, {@code loads.web → loads.ledger}, {@code loads.work → {loads.ledger, blob,
 * warehouse}}, {@code loads.ledger → {routing, blob}}; routing uses warehouse's enums, the adapters (blob,
 * warehouse, routing) use none of the features, everybody may use {@code system}.
 */
@AnalyzeClasses(packages = "io.snowhook", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule nothingDependsOnIntake = noClasses()
            .that()
            .resideOutsideOfPackage("io.snowhook.intake..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.snowhook.intake..")
            .because("intake is the entry point: it calls the ledger, nothing calls it");

    @ArchTest
    static final ArchRule nothingDependsOnTheLoadsWebLayer = noClasses()
            .that()
            .resideOutsideOfPackage("io.snowhook.loads.web..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.snowhook.loads.web..")
            .because("the status API is an outer layer of loads: it uses LoadService, nobody uses it");

    @ArchTest
    static final ArchRule theLedgerDoesNotDependOnTheWork = noClasses()
            .that()
            .resideInAPackage("io.snowhook.loads.ledger..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.snowhook.loads.work..")
            .because("the ledger records what is to be loaded; the workers read it, never the other way round");

    @ArchTest
    static final ArchRule theLoadsWebLayerDoesNotDependOnTheWork = noClasses()
            .that()
            .resideInAPackage("io.snowhook.loads.web..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.snowhook.loads.work..")
            .because("the status and re-ingest API reads and writes the ledger only; the workers pick its loads up");

    @ArchTest
    static final ArchRule nothingOutsideTheWorkDependsOnIt = noClasses()
            .that()
            .resideOutsideOfPackage("io.snowhook.loads.work..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.snowhook.loads.work..")
            .because("the work is a leaf: it is told of new loads by an event, and nobody calls it");

    @ArchTest
    static final ArchRule nothingDependsOnSweeps = noClasses()
            .that()
            .resideOutsideOfPackage("io.snowhook.sweep..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.snowhook.sweep..")
            .because("sweeps record loads through the ledger's service, like intake; nothing calls them");

    @ArchTest
    static final ArchRule adaptersNeverDependOnTheLedgerOrIntake = noClasses()
            .that()
            .resideInAnyPackage("io.snowhook.blob..", "io.snowhook.warehouse..", "io.snowhook.routing..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.snowhook.loads..", "io.snowhook.intake..", "io.snowhook.sweep..")
            .because("blob, warehouse and routing are adapters the loads use, never the other way round");

    @ArchTest
    static final ArchRule blobAndWarehouseDoNotDependOnRouting = noClasses()
            .that()
            .resideInAnyPackage("io.snowhook.blob..", "io.snowhook.warehouse..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.snowhook.routing..")
            .because("routes are the ledger's input to the adapters, not the adapters' concern");

    @ArchTest
    static final ArchRule routingUsesOnlyWarehouseEnums = noClasses()
            .that()
            .resideInAPackage("io.snowhook.routing..")
            .should()
            .dependOnClassesThat(resideInAPackage("io.snowhook.warehouse..").and(not(ENUMS)))
            .orShould()
            .dependOnClassesThat()
            .resideInAPackage("io.snowhook.blob..")
            .because("a route names a table, a file format, a load mode and staging — warehouse enums — and no more");

    @ArchTest
    static final ArchRule systemDependsOnNoFeature = noClasses()
            .that()
            .resideInAPackage("io.snowhook.system..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.snowhook.intake..",
                    "io.snowhook.loads..",
                    "io.snowhook.routing..",
                    "io.snowhook.blob..",
                    "io.snowhook.warehouse..",
                    "io.snowhook.sweep..")
            .because("every feature may use system, so system uses none of them")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule storesAreNotPublic = classes()
            .that()
            .areAnnotatedWith(Repository.class)
            .or()
            .haveSimpleNameEndingWith("Store")
            .or()
            .haveSimpleNameEndingWith("Repository")
            .should()
            .notHaveModifier(PUBLIC)
            .because("only a feature's service crosses its package boundary, never its persistence")
            .allowEmptyShould(true);
}
