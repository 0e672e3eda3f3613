package dev.odim.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.core.OdimConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseUrlTest {

  @Test
  void jdbcFormIsTakenAsItIs() {
    DatabaseUrl url = DatabaseUrl.parse("jdbc:postgresql://db.internal:5433/odim?sslmode=require");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5433/odim?sslmode=require");
    assertThat(url.user()).isNull();
    assertThat(url.password()).isNull();
  }

  @Test
  void libpqFormMovesCredentialsOutOfTheUrl() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://odim:s3cret@db.internal:5433/payments");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5433/payments");
    assertThat(url.user()).isEqualTo("odim");
    assertThat(url.password()).isEqualTo("s3cret");
  }

  @Test
  void herokuSchemeWithoutPortAndWithQueryIsAccepted() {
    DatabaseUrl url = DatabaseUrl.parse("postgres://u@localhost/app?sslmode=disable");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost/app?sslmode=disable");
    assertThat(url.user()).isEqualTo("u");
    assertThat(url.password()).isNull();
  }

  @Test
  void percentEncodedPasswordIsDecodedAndPlusStaysAPlus() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://odim:p%40ss+w%3Ard@h:5432/db");
    assertThat(url.password()).isEqualTo("p@ss+w:rd");
  }

  @Test
  void passwordNeverAppearsInToString() {
    assertThat(DatabaseUrl.parse("postgresql://odim:s3cret@h/db").toString())
        .doesNotContain("s3cret");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "mysql://u:p@h/db",
        "http://h/db",
        "postgresql://",
        "postgresql://h",
        "postgresql://h/",
        "postgresql://h:5432/a/b",
        "postgresql://u:p@/db",
        "postgresql://h:notaport/db",
        "jdbc:postgresql:"
      })
  void badValuesNameTheVariableAndWhatItAccepts(String raw) {
    assertThatThrownBy(() -> DatabaseUrl.parse(raw))
        .isInstanceOf(OdimConfigException.class)
        .hasMessageStartingWith("DATABASE_URL: ")
        .hasMessageContaining("postgresql://user:password@host:port/database")
        .satisfies(e -> assertThat(((OdimConfigException) e).setting()).isEqualTo("DATABASE_URL"));
  }
}
