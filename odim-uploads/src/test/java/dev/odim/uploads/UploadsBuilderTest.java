package dev.odim.uploads;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.core.OdimConfigException;
import dev.odim.core.db.Db;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Every invalid setting stops {@code build()} with an exception naming it. */
@ExtendWith(PostgresExtension.class)
class UploadsBuilderTest {
  @TempDir Path directory;

  @Test
  void eachInvalidSettingIsNamed(TestDatabase database) {
    try (Db db = Db.builder(database.jdbcUrlWithCredentials()).build()) {
      assertNamed(db, "access", b -> b.directory(directory));
      assertNamed(db, "store", b -> b.access(UploadAccess.anonymous()));
      assertNamed(db, "schema", b -> valid(b).schema("Bad-Name"));
      assertNamed(db, "basePath", b -> valid(b).basePath("uploads"));
      assertNamed(db, "maxSize", b -> valid(b).maxSize(0));
      assertNamed(db, "expiry", b -> valid(b).expiry(Duration.ofSeconds(5)));
      assertNamed(db, "leaseTimeout", b -> valid(b).leaseTimeout(Duration.ofMillis(10)));
      assertNamed(db, "segmentSize", b -> valid(b).segmentSize(1024));
      assertNamed(db, "allowedMediaTypes", b -> valid(b).allowedMediaTypes(List.of("png")));
      assertNamed(db, "corsOrigins", b -> valid(b).corsOrigins(List.of("app.example/path")));
      assertNamed(db, "orphanGracePeriod", b -> valid(b).orphanGracePeriod(Duration.ofSeconds(1)));
    }
  }

  private UploadsBuilder valid(UploadsBuilder builder) {
    return builder.directory(directory).access(UploadAccess.anonymous());
  }

  private static void assertNamed(Db db, String setting, UnaryOperator<UploadsBuilder> settings) {
    assertThatThrownBy(() -> settings.apply(Uploads.builder(db).migrate(false)).build())
        .isInstanceOf(OdimConfigException.class)
        .extracting(e -> ((OdimConfigException) e).setting())
        .isEqualTo(setting);
  }
}
