package io.historian;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Core's packages depend on one another without cycles: the engine depends on the API, never
 * the other way (the API finds the engine's builder through {@link java.util.ServiceLoader}).
 */
class ArchitectureTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.historian");

    private static final Set<String> API = Set.of("io.historian", "io.historian.query", "io.historian.spi");

    /**
     * The API packages form one slice (they name one another's types by design: a query returns
     * samples, a builder takes a cold tier); each other package is a slice of its own.
     */
    private static final SliceAssignment SLICES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String pkg = javaClass.getPackageName();
            return SliceIdentifier.of(API.contains(pkg) ? "API" : pkg);
        }

        @Override
        public String getDescription() {
            return "the API packages, and each internal package";
        }
    };

    @Test
    void packages_areFreeOfCycles() {
        slices().assignedFrom(SLICES).should().beFreeOfCycles().check(CORE);
    }
}
