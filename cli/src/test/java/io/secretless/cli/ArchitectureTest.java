package io.secretless.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Module dependencies point one way: core <- config <- credentials <- connector API <- broker. */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void load() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.secretless");
  }

  @Test
  void connectorsDoNotDependOnEachOtherOrOnTheBrokerCore() {
    noClasses()
        .that()
        .resideInAPackage("io.secretless.pg..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.secretless.http..",
            "io.secretless.broker..",
            "io.secretless.mysql..",
            "io.secretless.ssh..")
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage("io.secretless.http..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.secretless.pg..",
            "io.secretless.broker..",
            "io.secretless.mysql..",
            "io.secretless.ssh..")
        .check(classes);
  }

  @Test
  void warehouseDoesNotDependOnBrokerOrConnectors() {
    noClasses()
        .that()
        .resideInAPackage("io.secretless.warehouse..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.secretless.broker..",
            "io.secretless.connector..",
            "io.secretless.pg..",
            "io.secretless.http..")
        .check(classes);
  }

  @Test
  void lowerLayersDoNotReachUp() {
    noClasses()
        .that()
        .resideInAnyPackage("io.secretless.core..", "io.secretless.config..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.secretless.credentials..",
            "io.secretless.connector..",
            "io.secretless.broker..",
            "io.secretless.cli..")
        .check(classes);
    noClasses()
        .that()
        .resideInAnyPackage("io.secretless.credentials..", "io.secretless.connector..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.secretless.broker..", "io.secretless.cli..")
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage("io.secretless.broker..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.secretless.cli..", "io.secretless.pg..", "io.secretless.http..")
        .check(classes);
  }
}
