package dev.odim.server.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.NullMarked;

/** The architecture rules of DESIGN.md, as ArchUnit rules over every class in {@code dev.odim}. */
final class OdimArchitecture {
  private OdimArchitecture() {}

  private static final Pattern MODULE_PACKAGE = Pattern.compile("^dev\\.odim\\.([a-z0-9]+)");
  private static final Pattern MODULE_ARTIFACT = Pattern.compile("/odim-([a-z0-9-]+)/target/");

  /**
   * No module below the reference server may use a web framework, the Servlet API or the Servlet
   * adapter; the adapter, odim-servlet, may use the Servlet API and nothing else of the kind.
   */
  static final ArchRule NO_WEB_FRAMEWORK_BELOW_THE_SERVER =
      CompositeArchRule.of(
              noClasses()
                  .that()
                  .resideInAPackage("dev.odim..")
                  .and()
                  .resideOutsideOfPackages(
                      "dev.odim.server..", "dev.odim.servlet..", "dev.odim.bench..")
                  .should()
                  .dependOnClassesThat()
                  .resideInAnyPackage(
                      "io.javalin..",
                      "org.eclipse.jetty..",
                      "jakarta.servlet..",
                      "javax.servlet..",
                      "dev.odim.servlet..")
                  .because(
                      "HTTP protocols live in framework-neutral handlers; only the server, the benchmarks and"
                          + " the Servlet adapter adapt them, and only hosts mount the adapter"))
          .and(
              noClasses()
                  .that()
                  .resideInAPackage("dev.odim.servlet..")
                  .should()
                  .dependOnClassesThat()
                  .resideInAnyPackage("io.javalin..", "org.eclipse.jetty..", "javax.servlet..")
                  .because(
                      "the Servlet adapter must run in any Jakarta Servlet container, so it uses"
                          + " the Servlet API alone"));

  /** A module's {@code internal} packages are its own business. */
  static final ArchRule INTERNAL_PACKAGES_STAY_INSIDE_THEIR_MODULE =
      classes()
          .that()
          .resideInAPackage("dev.odim..")
          .should(notUseAnotherModulesInternals())
          .because("what is in an internal package is not API and may change at any time");

  /** Every package states that its types are non-null unless marked {@code @Nullable}. */
  static final ArchRule EVERY_PACKAGE_IS_NULL_MARKED =
      classes().that().resideInAPackage("dev.odim..").should(resideInANullMarkedPackage());

  /**
   * The classes of {@code odim-X} live under {@code dev.odim.X} (the reference server's under
   * {@code dev.odim.server}).
   */
  static final ArchRule EACH_MODULE_OWNS_ITS_PACKAGE =
      classes().that().resideInAPackage("dev.odim..").should(resideInTheirModulesPackage());

  /** The foundation depends on no other Odim module (DESIGN.md, layers). */
  static final ArchRule CORE_AND_TESTKIT_DEPEND_ON_NO_OTHER_MODULE =
      noClasses()
          .that()
          .resideInAnyPackage("dev.odim.core..", "dev.odim.testkit..")
          .should()
          .dependOnClassesThat(
              com.tngtech.archunit.base.DescribedPredicate.describe(
                  "belong to another Odim module",
                  (JavaClass target) ->
                      target.getPackageName().startsWith("dev.odim.")
                          && !target.getPackageName().startsWith("dev.odim.core")
                          && !target.getPackageName().startsWith("dev.odim.testkit")));

  /**
   * DESIGN.md's layers: core below queue, ledger, uploads and the Servlet adapter; those below
   * webhooks; webhooks below payments; payments below the server. A module may use only modules of
   * lower layers, and only the server and the benchmarks may use the testkit outside tests.
   */
  static final ArchRule MODULES_DEPEND_ONLY_ON_LOWER_LAYERS =
      classes().that().resideInAPackage("dev.odim..").should(dependOnlyOnLowerLayers());

  private static final java.util.Map<String, Integer> LAYER =
      java.util.Map.of(
          "testkit", 0,
          "core", 0,
          "queue", 1,
          "ledger", 1,
          "servlet", 1,
          "uploads", 1,
          "webhooks", 2,
          "payments", 3,
          "server", 4,
          "bench", 5);

  private static ArchCondition<JavaClass> dependOnlyOnLowerLayers() {
    return new ArchCondition<>("depend only on Odim modules of lower layers") {
      @Override
      public void check(JavaClass origin, ConditionEvents events) {
        Optional<String> own = module(origin.getPackageName());
        if (own.isEmpty() || !LAYER.containsKey(own.get())) {
          return;
        }
        for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
          Optional<String> target = module(dependency.getTargetClass().getPackageName());
          if (target.isEmpty() || target.equals(own) || !LAYER.containsKey(target.get())) {
            continue;
          }
          // The testkit is for tests; only the server (its embedded database) and the benchmarks
          // use it in main code.
          boolean violates =
              target.get().equals("testkit")
                  ? LAYER.get(own.get()) < 4
                  : LAYER.get(target.get()) >= LAYER.get(own.get());
          if (violates) {
            events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
          }
        }
      }
    };
  }

  static Optional<String> module(String packageName) {
    Matcher matcher = MODULE_PACKAGE.matcher(packageName);
    return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
  }

  private static ArchCondition<JavaClass> notUseAnotherModulesInternals() {
    return new ArchCondition<>("not use another module's internal packages") {
      @Override
      public void check(JavaClass origin, ConditionEvents events) {
        Optional<String> own = module(origin.getPackageName());
        for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
          String target = dependency.getTargetClass().getPackageName();
          if (!target.startsWith("dev.odim.")
              || !(target.contains(".internal.") || target.endsWith(".internal"))) {
            continue;
          }
          if (!module(target).equals(own)) {
            events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
          }
        }
      }
    };
  }

  private static ArchCondition<JavaClass> resideInANullMarkedPackage() {
    return new ArchCondition<>("reside in a package annotated @NullMarked") {
      @Override
      public void check(JavaClass item, ConditionEvents events) {
        if (!item.getPackage().isAnnotatedWith(NullMarked.class)) {
          events.add(
              SimpleConditionEvent.violated(
                  item, "package " + item.getPackageName() + " has no @NullMarked package-info"));
        }
      }
    };
  }

  private static ArchCondition<JavaClass> resideInTheirModulesPackage() {
    return new ArchCondition<>("reside in their module's package") {
      @Override
      public void check(JavaClass item, ConditionEvents events) {
        if (item.getSource().isEmpty()) {
          return;
        }
        Matcher artifact = MODULE_ARTIFACT.matcher(item.getSource().get().getUri().toString());
        if (!artifact.find()) {
          return;
        }
        String expected = "dev.odim." + artifact.group(1).replace("reference-server", "server");
        String name = item.getPackageName();
        if (!name.equals(expected) && !name.startsWith(expected + ".")) {
          events.add(
              SimpleConditionEvent.violated(
                  item,
                  item.getName()
                      + " is in module odim-"
                      + artifact.group(1)
                      + " but not under "
                      + expected));
        }
      }
    };
  }
}
