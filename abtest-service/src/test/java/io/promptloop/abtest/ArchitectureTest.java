package io.promptloop.abtest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Domain code is pure Java: unit-testable and replayable without a framework; the feature packages depend on each
 * other without cycles. (The slice rule moves to the shared ArchitectureTest of issue 8 once that lands.)
 */
@AnalyzeClasses(packages = "io.promptloop.abtest", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule domainIsPure = noClasses()
            .that()
            .resideInAPackage("..domain..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "org.springframework..",
                    "org.apache.kafka..",
                    "org.apache.avro..",
                    "io.promptloop.avro..",
                    "io.apicurio..",
                    "java.sql..",
                    "javax.sql..",
                    "jakarta..",
                    "tools.jackson..",
                    "com.fasterxml..")
            .because("statistics, optimization and validation logic must be testable and replayable on its own");

    @ArchTest
    static final ArchRule featuresAreFreeOfCycles = slices().matching("io.promptloop.abtest.(*)..")
            .should()
            .beFreeOfCycles()
            .because("a cycle between features (once experiment <-> analysis) means neither can change alone");
}
