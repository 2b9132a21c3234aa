package io.promptloop.abtest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Domain code is pure Java: unit-testable and replayable without a framework. */
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
}
