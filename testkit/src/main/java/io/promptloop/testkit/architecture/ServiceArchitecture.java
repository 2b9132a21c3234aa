package io.promptloop.testkit.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The architecture rules every promptloop service keeps, applied by each service's {@code ArchitectureTest} with
 * {@code @ArchTest static final ArchTests rules = ArchTests.in(ServiceArchitecture.class);} over its own package.
 */
public final class ServiceArchitecture {

    private ServiceArchitecture() {}

    /** Statistics, optimization and validation logic is pure Java: unit-testable and replayable on its own. */
    @ArchTest
    public static final ArchRule domainIsPure = noClasses()
            .that()
            .resideInAPackage("..domain..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "org.springframework..",
                    "org.apache.kafka..",
                    "org.apache.avro..",
                    "io.promptloop.avro..",
                    "io.promptloop.support..",
                    "io.apicurio..",
                    "java.sql..",
                    "javax.sql..",
                    "jakarta..",
                    "tools.jackson..",
                    "com.fasterxml..")
            .because("statistics, optimization and validation logic must be testable and replayable on its own");

    /**
     * Features (the packages under the service's root) do not depend on each other in a circle. {@code config} is
     * the wiring, not a feature: it may see every feature (to build its beans and validate its properties), and
     * features read its properties records.
     */
    @ArchTest
    public static final ArchRule featuresAreFreeOfCycles = slices().matching("io.promptloop.(*).(*)..")
            .namingSlices("$2")
            .should()
            .beFreeOfCycles()
            .ignoreDependency(resideInAPackage("..config.."), DescribedPredicate.alwaysTrue())
            .because("a cycle between features means neither can be understood, tested or changed alone");

    /**
     * Cross-cutting concerns (security, Kafka error handling and dead letters, topics) live once, in
     * service-support: a service configures them, it does not build its own.
     */
    @ArchTest
    public static final ArchRule crossCuttingLivesInSupport = noClasses()
            .that()
            .resideOutsideOfPackage("io.promptloop.support..")
            .should()
            .dependOnClassesThat()
            .haveFullyQualifiedName("org.springframework.security.web.SecurityFilterChain")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("org.springframework.kafka.listener.DefaultErrorHandler")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("org.springframework.kafka.listener.DeadLetterPublishingRecoverer")
            .because("one way to do a thing: the shared module holds security, error handling and dead letters");
}
