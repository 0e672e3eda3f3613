package dev.odim.server.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.odim.core.Money;
import dev.odim.ledger.fixture.BreaksTheRules;
import dev.odim.ledger.fixture.MountsTheServletAdapter;
import dev.odim.servlet.fixture.ReachesIntoJetty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the rules of {@link OdimArchitecture} over every production class of every module on this
 * module's class path (the reference server sees them all), and proves each rule can fail by
 * running it over a fixture that breaks it.
 */
class ArchitectureTest {
  private static JavaClasses production;
  private static JavaClasses fixture;

  @BeforeAll
  static void importClasses() {
    production =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.odim");
    fixture = new ClassFileImporter().importPackagesOf(BreaksTheRules.class);
  }

  @Test
  void productionClassesOfEveryModuleAreImported() {
    assertThat(production.containPackage("dev.odim.core")).isTrue();
    assertThat(production.containPackage("dev.odim.testkit")).isTrue();
    assertThat(production.containPackage("dev.odim.server")).isTrue();
    assertThat(production.containPackage("dev.odim.ledger")).isTrue();
    assertThat(production.containPackage("dev.odim.queue")).isTrue();
    assertThat(production.containPackage("dev.odim.servlet")).isTrue();
  }

  @Test
  void noWebFrameworkBelowTheServer() {
    holds(OdimArchitecture.NO_WEB_FRAMEWORK_BELOW_THE_SERVER);
  }

  @Test
  void internalPackagesStayInsideTheirModule() {
    holds(OdimArchitecture.INTERNAL_PACKAGES_STAY_INSIDE_THEIR_MODULE);
  }

  @Test
  void everyPackageIsNullMarked() {
    holds(OdimArchitecture.EVERY_PACKAGE_IS_NULL_MARKED);
  }

  @Test
  void eachModuleOwnsItsPackage() {
    holds(OdimArchitecture.EACH_MODULE_OWNS_ITS_PACKAGE);
  }

  @Test
  void coreAndTestkitDependOnNoOtherModule() {
    holds(OdimArchitecture.CORE_AND_TESTKIT_DEPEND_ON_NO_OTHER_MODULE);
  }

  @Test
  void modulesDependOnlyOnLowerLayers() {
    holds(OdimArchitecture.MODULES_DEPEND_ONLY_ON_LOWER_LAYERS);
  }

  @Test
  void rulesCatchAClassThatBreaksThem() {
    assertThat(breaks(OdimArchitecture.NO_WEB_FRAMEWORK_BELOW_THE_SERVER, BreaksTheRules.class))
        .as("a ledger class using Javalin")
        .isTrue();
    assertThat(
            OdimArchitecture.INTERNAL_PACKAGES_STAY_INSIDE_THEIR_MODULE
                .evaluate(fixture)
                .hasViolation())
        .as("a ledger class using the testkit's internals")
        .isTrue();
    assertThat(
            OdimArchitecture.MODULES_DEPEND_ONLY_ON_LOWER_LAYERS.evaluate(fixture).hasViolation())
        .as("a ledger class using the testkit outside tests")
        .isTrue();
    assertThat(OdimArchitecture.EVERY_PACKAGE_IS_NULL_MARKED.evaluate(fixture).hasViolation())
        .as("a package without @NullMarked")
        .isTrue();
  }

  @Test
  void onlyTheServletAdapterUsesTheServletApiAndItUsesNothingElse() {
    ArchRule rule = OdimArchitecture.NO_WEB_FRAMEWORK_BELOW_THE_SERVER;
    assertThat(breaks(rule, dev.odim.ledger.fixture.UsesTheServletApi.class))
        .as("a ledger class using the Servlet API")
        .isTrue();
    assertThat(breaks(rule, MountsTheServletAdapter.class))
        .as("a ledger class using the Servlet adapter")
        .isTrue();
    assertThat(breaks(rule, ReachesIntoJetty.class))
        .as("a servlet adapter class using Jetty")
        .isTrue();
    assertThat(breaks(rule, dev.odim.servlet.fixture.UsesTheServletApi.class))
        .as("a servlet adapter class using the Servlet API")
        .isFalse();
  }

  /**
   * Whether {@code rule} finds a violation in {@code type}, checked beside a core class and the
   * adapter fixture that break nothing, so that each part of a composite rule has classes to check.
   */
  private static boolean breaks(ArchRule rule, Class<?> type) {
    return rule.evaluate(
            new ClassFileImporter()
                .importClasses(type, Money.class, dev.odim.servlet.fixture.UsesTheServletApi.class))
        .hasViolation();
  }

  private static void holds(ArchRule rule) {
    rule.check(production);
  }
}
