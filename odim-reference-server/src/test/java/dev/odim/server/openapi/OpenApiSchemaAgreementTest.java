package dev.odim.server.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.odim.server.internal.openapi.OpenApiDocument;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The generated schemas say what the server does: each sample body gets the same verdict from a
 * JSON Schema 2020-12 validator using the document's schema as from the server's own path (the
 * server's mapper binding it to the record, then Hibernate Validator). The samples start from a
 * valid body and break one constraint at a time, and stay at the edges of each.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiSchemaAgreementTest {
  private static final String VALID =
      """
      {"email": "ada@example.com", "password": "correct horse battery", "handle": "ada_1815",
       "bio": null, "age": 36, "credits": 1, "referrals": 0, "newsletter": false, "role": "FAN",
       "interests": ["maths"], "address": {"line1": "12 St James's Square", "country": "GB"},
       "limits": {"uploads": 3}, "follows": ["8d7c2a4e-3f41-4c1e-9a57-0b6f3c2d1e0f"],
       "birthday": "1815-12-10", "referrer_id": null, "previousAddresses": null}
      """;

  private final ObjectMapper mapper = SampleApi.mapper();
  private ValidatorFactory validators;
  private Validator validator;
  private ObjectNode document;
  private JsonSchemaFactory factory;

  @BeforeAll
  void setUp() {
    validators =
        Validation.byDefaultProvider()
            .configure()
            .messageInterpolator(new ParameterMessageInterpolator())
            .buildValidatorFactory();
    validator = validators.getValidator();
    document = OpenApiDocument.build(SampleApi.ALL, mapper, "1");
    factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
  }

  @AfterAll
  void tearDown() {
    validators.close();
  }

  @Test
  void everyComponentSchemaIsAValidJsonSchema202012() {
    JsonSchema metaSchema =
        factory.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
    Map<String, Set<ValidationMessage>> invalid = new LinkedHashMap<>();
    document
        .at("/components/schemas")
        .properties()
        .forEach(
            schema -> {
              Set<ValidationMessage> messages = metaSchema.validate(schema.getValue());
              if (!messages.isEmpty()) {
                invalid.put(schema.getKey(), messages);
              }
            });
    assertThat(invalid).isEmpty();
    // And the meta-schema does refuse a broken schema, so the check above checks something.
    assertThat(metaSchema.validate(json("{\"type\": \"strin\", \"minLength\": -1}"))).isNotEmpty();
  }

  @Test
  void notBlankIsExactlyWhatStringIsBlankRefuses() {
    java.util.regex.Pattern notBlank =
        java.util.regex.Pattern.compile(
            document.at("/components/schemas/Address/properties/line1/pattern").asText());
    List<Integer> wrong = new ArrayList<>();
    for (int c = 0; c <= Character.MAX_VALUE; c++) {
      String one = String.valueOf((char) c);
      if (notBlank.matcher(one).find() == one.isBlank()) {
        wrong.add(c);
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void theSchemaAndTheServerAgreeOnEverySample() {
    JsonSchema schema = schemaOf("Signup");
    Map<String, Consumer<ObjectNode>> samples = new LinkedHashMap<>();
    samples.put("valid", body -> {});
    samples.put("email missing", body -> body.remove("email"));
    samples.put("email null", body -> body.putNull("email"));
    samples.put("email blank", body -> body.put("email", "   "));
    samples.put("email not an address", body -> body.put("email", "ada.example.com"));
    samples.put("email 254 long", body -> body.put("email", emailOfLength(254)));
    samples.put("email 255 long", body -> body.put("email", emailOfLength(255)));
    samples.put("password 12", body -> body.put("password", "x".repeat(12)));
    samples.put("password 11", body -> body.put("password", "x".repeat(11)));
    samples.put("password 129", body -> body.put("password", "x".repeat(129)));
    samples.put("password blank is allowed", body -> body.put("password", " ".repeat(12)));
    samples.put("handle 3", body -> body.put("handle", "abc"));
    samples.put("handle 2", body -> body.put("handle", "ab"));
    samples.put("handle upper case", body -> body.put("handle", "Ada"));
    samples.put("handle with a newline after", body -> body.put("handle", "ada\n"));
    samples.put("handle with a prefix", body -> body.put("handle", "!ada"));
    samples.put("bio missing", body -> body.remove("bio"));
    samples.put("bio 500", body -> body.put("bio", "b".repeat(500)));
    samples.put("bio 501", body -> body.put("bio", "b".repeat(501)));
    samples.put("age 13", body -> body.put("age", 13));
    samples.put("age 12", body -> body.put("age", 12));
    samples.put("age 150", body -> body.put("age", 150));
    samples.put("age 151", body -> body.put("age", 151));
    samples.put("age null", body -> body.putNull("age"));
    samples.put("credits 0", body -> body.put("credits", 0));
    samples.put("credits huge", body -> body.put("credits", Long.MAX_VALUE));
    samples.put("credits null", body -> body.putNull("credits"));
    samples.put("credits missing", body -> body.remove("credits"));
    samples.put("age as a string", body -> body.put("age", "36"));
    samples.put("age as 36.0", body -> body.put("age", 36.0));
    samples.put("age as 36.5", body -> body.put("age", 36.5));
    samples.put("newsletter as a string", body -> body.put("newsletter", "true"));
    samples.put("email as a number", body -> body.put("email", 5));
    samples.put("role in lower case", body -> body.put("role", "fan"));
    samples.put("newsletter missing", body -> body.remove("newsletter"));
    samples.put("referrals -1", body -> body.put("referrals", -1));
    samples.put("newsletter null", body -> body.putNull("newsletter"));
    samples.put("role admin", body -> body.put("role", "ADMIN"));
    samples.put("role unknown", body -> body.put("role", "NOBODY"));
    samples.put("role null", body -> body.putNull("role"));
    samples.put("interests empty", body -> body.putArray("interests"));
    samples.put("interests 3", body -> body.putArray("interests").add("a").add("b").add("c"));
    samples.put(
        "interests 4", body -> body.putArray("interests").add("a").add("b").add("c").add("d"));
    samples.put("interest blank", body -> body.putArray("interests").add(" "));
    samples.put("interest 21", body -> body.putArray("interests").add("i".repeat(21)));
    samples.put("interest null", body -> body.putArray("interests").addNull());
    samples.put("unknown field", body -> body.put("nickname", "ada"));
    samples.put("address missing", body -> body.remove("address"));
    samples.put("address without line1", body -> address(body).remove("line1"));
    samples.put("address line2 null", body -> address(body).putNull("line2"));
    samples.put("address line1 a no-break space", body -> address(body).put("line1", "\u00A0"));
    samples.put("address line1 an em space", body -> address(body).put("line1", "\u2003 \t"));
    samples.put("address country 3", body -> address(body).put("country", "GBR"));
    samples.put("address country lower", body -> address(body).put("country", "gb"));
    samples.put("address unknown field", body -> address(body).put("zip", "SW1"));
    samples.put("limits empty", body -> body.putObject("limits"));
    samples.put("limit 0", body -> body.putObject("limits").put("uploads", 0));
    samples.put("limit null", body -> body.putObject("limits").putNull("uploads"));
    samples.put("follows empty", body -> body.putArray("follows"));
    samples.put("follows null element", body -> body.putArray("follows").addNull());
    samples.put(
        "follows twice the same",
        body ->
            body.putArray("follows")
                .add("8d7c2a4e-3f41-4c1e-9a57-0b6f3c2d1e0f")
                .add("8d7c2a4e-3f41-4c1e-9a57-0b6f3c2d1e0f"));
    samples.put("follows not a uuid", body -> body.putArray("follows").add("nope"));
    samples.put("birthday not a date", body -> body.put("birthday", "1815-13-10"));
    samples.put(
        "referrer_id a uuid",
        body -> body.put("referrer_id", "8d7c2a4e-3f41-4c1e-9a57-0b6f3c2d1e0f"));
    samples.put(
        "previous address invalid",
        body -> body.putArray("previousAddresses").addObject().put("line1", "x"));
    samples.put(
        "previous address valid",
        body ->
            body.putArray("previousAddresses").addObject().put("line1", "x").put("country", "FR"));
    samples.put("previous address null", body -> body.putArray("previousAddresses").addNull());

    List<String> schemaOnly = new ArrayList<>();
    List<String> serverOnly = new ArrayList<>();
    List<String> accepted = new ArrayList<>();
    samples.forEach(
        (name, change) -> {
          ObjectNode body = (ObjectNode) json(VALID);
          change.accept(body);
          Set<ValidationMessage> schemaSays = schema.validate(body);
          String serverSays = server(body);
          if (schemaSays.isEmpty() && serverSays != null) {
            schemaOnly.add(name + ": server says " + serverSays);
          }
          if (!schemaSays.isEmpty() && serverSays == null) {
            serverOnly.add(name);
          }
          if (serverSays == null) {
            accepted.add(name);
          }
        });

    // Nothing the document allows is refused by the server, with one exception JSON Schema cannot
    // express: 36.0 is an integer to JSON Schema (the same number as 36), while the server binds
    // integers from integer tokens only, so that no amount is ever cut from a fraction.
    assertThat(schemaOnly)
        .containsExactly("age as 36.0: server says binding: InvalidFormatException");
    // The server binds strictly (ServerJson): no number or boolean from a string, no fraction cut
    // to an integer. A Set drops a repeated element, which the document's uniqueItems does not
    // offer either.
    assertThat(serverOnly).containsExactly("follows twice the same");
    // The samples meant to pass did; everything else was refused by both.
    assertThat(accepted)
        .containsExactly(
            "valid",
            "email 254 long",
            "password 12",
            "password blank is allowed",
            "handle 3",
            "bio missing",
            "bio 500",
            "age 13",
            "age 150",
            "credits huge",
            "role admin",
            "interests 3",
            "address line2 null",
            "address line1 a no-break space",
            "follows empty",
            "follows twice the same",
            "referrer_id a uuid",
            "previous address valid");
  }

  /** The server's verdict: null when it accepts the body, else why not. */
  private String server(JsonNode body) {
    SampleApi.Signup signup;
    try {
      signup = mapper.treeToValue(body, SampleApi.Signup.class);
    } catch (Exception e) {
      return "binding: " + e.getClass().getSimpleName();
    }
    var violations = validator.validate(signup);
    return violations.isEmpty()
        ? null
        : violations.stream()
            .map(v -> v.getPropertyPath() + " " + v.getMessage())
            .toList()
            .toString();
  }

  /** A valid address of {@code length} characters: a short local part, a long domain. */
  private static String emailOfLength(int length) {
    String label = "d".repeat(61);
    String email =
        "ada@" + label + "." + label + "." + label + "." + "e".repeat(length - 194) + ".com";
    assertThat(email).hasSize(length);
    return email;
  }

  private static ObjectNode address(ObjectNode body) {
    return (ObjectNode) body.get("address");
  }

  /** The component schema {@code name}, its references resolved within the document's schemas. */
  private JsonSchema schemaOf(String name) {
    ObjectNode root = mapper.createObjectNode();
    root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    root.put("$ref", "#/$defs/" + name);
    root.set(
        "$defs",
        json(
            document
                .at("/components/schemas")
                .toString()
                .replace("#/components/schemas/", "#/$defs/")));
    SchemaValidatorsConfig config =
        SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    return factory.getSchema(root, config);
  }

  private JsonNode json(String text) {
    try {
      return mapper.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(text, e);
    }
  }
}
