package io.promptloop.abtest;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import io.promptloop.testkit.architecture.ServiceArchitecture;

/** The rules every promptloop service keeps (pure domain, no feature cycles, cross-cutting code in support). */
@AnalyzeClasses(packages = "io.promptloop.abtest", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchTests rules = ArchTests.in(ServiceArchitecture.class);
}
