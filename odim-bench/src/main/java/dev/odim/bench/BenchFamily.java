package dev.odim.bench;

/** One family of scenarios, chosen by name on the command line. */
public interface BenchFamily {

  /** The name typed after {@code ./odim bench}. */
  String name();

  /** One line for {@code ./odim bench --help}. */
  String description();

  /** Runs every scenario and reports each through {@code out}. */
  void run(BenchOptions options, ResultSink out) throws Exception;
}
