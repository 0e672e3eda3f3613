package dev.odim.server.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.odim.core.Problem;
import dev.odim.core.ProblemException;
import io.javalin.http.Context;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Reads a JSON request body into a record, answering every way it can go wrong with the right
 * problem: 415 when the body is not declared as JSON, 413 when it is larger than the limit (checked
 * while reading, so a chunked body without a length cannot slip past), 400 when it is not JSON or
 * does not fit the record.
 */
public final class JsonBody {
  /** The default limit for JSON bodies: 1 MiB, far above any form this server accepts. */
  public static final int DEFAULT_MAX_BYTES = 1 << 20;

  private final ObjectMapper mapper;
  private final int maxBytes;

  public JsonBody(ObjectMapper mapper, int maxBytes) {
    this.mapper = mapper;
    this.maxBytes = maxBytes;
  }

  /**
   * The body as {@code type}.
   *
   * @throws ProblemException with a 400, 413 or 415 problem
   */
  public <T> T read(Context ctx, Class<T> type) {
    return parse(readBytes(ctx), type);
  }

  /**
   * The body's bytes, once it is declared as JSON and within the limit.
   *
   * @throws ProblemException with a 413 or 415 problem
   */
  public byte[] readBytes(Context ctx) {
    requireJson(ctx.contentType());
    long declared = ctx.contentLength();
    if (declared > maxBytes) {
      throw tooLarge();
    }
    return readAtMostLimit(ctx);
  }

  /**
   * {@code body} as {@code type}.
   *
   * @throws ProblemException with a 400 problem
   */
  public <T> T parse(byte[] body, Class<T> type) {
    if (body.length == 0) {
      throw ProblemCode.INVALID_JSON.exception("The request body is empty.");
    }
    T value;
    try {
      value = mapper.readValue(body, type);
    } catch (UnrecognizedPropertyException e) {
      throw ProblemCode.VALIDATION_FAILED.exception(
          "The request has a field this address does not know.",
          List.of(new Problem.FieldError(path(e), "is not a known field")));
    } catch (JsonMappingException e) {
      if (e.getCause() instanceof StreamReadException broken) {
        // Databind wraps a syntax error met inside a field; it is still not JSON.
        throw ProblemCode.INVALID_JSON.exception(
            "The body is not valid JSON" + at(broken.getLocation()) + ".");
      }
      if (e.getPath().isEmpty()) {
        throw ProblemCode.INVALID_JSON.exception(
            "The body must be a JSON object" + at(e.getLocation()) + ".");
      }
      throw ProblemCode.VALIDATION_FAILED.exception(
          "A field of the request has the wrong type.",
          List.of(new Problem.FieldError(path(e), "has the wrong type")));
    } catch (JacksonException e) {
      // Jackson's own message quotes the input; the caller gets only where it broke.
      throw ProblemCode.INVALID_JSON.exception(
          "The body is not valid JSON" + at(e.getLocation()) + ".");
    } catch (CharConversionException e) {
      // Jackson guessed UTF-16 or UTF-32 from the first bytes and the rest broke that encoding.
      throw ProblemCode.INVALID_JSON.exception("The body is not valid JSON in UTF-8.");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (value == null) {
      // The JSON literal null binds to no record; without this it would reach the validator.
      throw ProblemCode.INVALID_JSON.exception("The body must be a JSON object, not null.");
    }
    return value;
  }

  private static void requireJson(String contentType) {
    String mediaType =
        contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/json")
        && !mediaType.matches("application/[a-z0-9.+-]*\\+json")) {
      throw ProblemCode.UNSUPPORTED_MEDIA_TYPE.exception(
          "Send the body as application/json"
              + (mediaType.isEmpty()
                  ? "; no Content-Type was given."
                  : ", not " + mediaType + "."));
    }
  }

  private byte[] readAtMostLimit(Context ctx) {
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] body = in.readNBytes(maxBytes + 1);
      if (body.length > maxBytes) {
        throw tooLarge();
      }
      return body;
    } catch (IOException e) {
      // The client sent less than it announced and hung up, or stalled past the idle timeout:
      // its request is incomplete, which is a 400, not a failure of the server.
      throw ProblemCode.BAD_REQUEST.exception(
          "The request body ended before the length the request announced.");
    }
  }

  private ProblemException tooLarge() {
    return ProblemCode.PAYLOAD_TOO_LARGE.exception(
        "The body exceeds the limit of " + maxBytes + " bytes for this address.");
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
        .collect(Collectors.joining("."))
        .replace(".[", "[");
  }

  private static String at(JsonLocation location) {
    if (location == null || location.getLineNr() < 0) {
      return "";
    }
    return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
  }
}
