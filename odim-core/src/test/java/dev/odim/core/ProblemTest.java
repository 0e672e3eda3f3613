package dev.odim.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProblemTest {
  @Test
  void ofGivesAnOdimTypeNamedAfterTheCode() {
    var problem =
        Problem.of(409, "slot_taken", "Slot taken", "This slot was just booked by someone else.");
    assertThat(problem.type()).isEqualTo("https://odim.dev/problems/slot_taken");
    assertThat(problem.instance()).isNull();
    assertThat(problem.errors()).isEmpty();
  }

  @Test
  void toMapHasTheDocumentedMembersInOrderAndOmitsEmptyOnes() {
    var problem = Problem.of(409, "slot_taken", "Slot taken", null);
    assertThat(problem.toMap())
        .containsExactly(
            Map.entry("type", "https://odim.dev/problems/slot_taken"),
            Map.entry("title", "Slot taken"),
            Map.entry("status", 409),
            Map.entry("code", "slot_taken"));
  }

  @Test
  void toMapCarriesInstanceAndFieldErrors() {
    var problem =
        Problem.of(400, "validation_failed", "Invalid input", "2 fields are invalid.")
            .withInstance("/api/auth/signup")
            .withErrors(new Problem.FieldError("email", "must be an email address"))
            .withError("password", "must have at least 12 characters");
    assertThat(problem.toMap())
        .containsExactly(
            Map.entry("type", "https://odim.dev/problems/validation_failed"),
            Map.entry("title", "Invalid input"),
            Map.entry("status", 400),
            Map.entry("detail", "2 fields are invalid."),
            Map.entry("code", "validation_failed"),
            Map.entry("instance", "/api/auth/signup"),
            Map.entry(
                "errors",
                List.of(
                    Map.of("field", "email", "message", "must be an email address"),
                    Map.of("field", "password", "message", "must have at least 12 characters"))));
  }

  @Test
  void errorsCannotBeChangedAfterConstruction() {
    var errors = new ArrayList<Problem.FieldError>();
    errors.add(new Problem.FieldError("email", "required"));
    var problem = Problem.of(400, "validation_failed", "Invalid input", null).withErrors(errors);
    errors.clear();
    assertThat(problem.errors()).hasSize(1);
    assertThatThrownBy(() -> problem.errors().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void statusMustBeAnErrorStatus() {
    assertThatThrownBy(() -> Problem.of(200, "ok", "OK", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("400 to 599");
    assertThatThrownBy(() -> Problem.of(600, "odd", "Odd", null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Problem.of(599, "edge", "Edge", null).status()).isEqualTo(599);
  }

  @Test
  void codeMustBeSnakeCase() {
    for (var code : List.of("", "SlotTaken", "slot-taken", "1slot", "_slot", "slot taken")) {
      assertThatThrownBy(() -> Problem.of(409, code, "Slot taken", null))
          .as(code)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(Problem.of(409, "slot_taken_2", "Slot taken", null).code())
        .isEqualTo("slot_taken_2");
  }

  @Test
  void typeCanBeAboutBlank() {
    var problem = Problem.of(404, "not_found", "Not found", null).withType("about:blank");
    assertThat(problem.toMap()).containsEntry("type", "about:blank");
  }

  @Test
  void problemExceptionCarriesTheProblemThroughLayers() {
    var problem = Problem.of(402, "insufficient_funds", "Insufficient funds", "Balance is 0.");
    var exception = new ProblemException(problem);
    assertThat(exception).isInstanceOf(OdimException.class);
    assertThat(exception.problem()).isSameAs(problem);
    assertThat(exception).hasMessage("insufficient_funds: Balance is 0.");
  }
}
