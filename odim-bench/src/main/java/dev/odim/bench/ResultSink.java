package dev.odim.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** Prints results as JSON lines on stdout and progress on stderr, never mixing the two. */
public final class ResultSink {
  private final ObjectMapper json = new ObjectMapper();
  private final PrintStream results;
  private final PrintStream progress;

  public ResultSink(PrintStream results, PrintStream progress) {
    this.results = results;
    this.progress = progress;
  }

  /** Prints one result line: {@code bench}, {@code scenario}, then the fields in their order. */
  public void result(String bench, String scenario, Map<String, ?> fields) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("bench", bench);
    line.put("scenario", scenario);
    line.putAll(fields);
    try {
      results.println(json.writeValueAsString(line));
      results.flush();
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("result fields must be plain values: " + fields, e);
    }
  }

  /** Prints a progress line on stderr. */
  public void progress(String message) {
    progress.println("bench: " + message);
  }
}
