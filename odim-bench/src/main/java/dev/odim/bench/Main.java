package dev.odim.bench;

import dev.odim.bench.db.DbBench;
import dev.odim.bench.ledger.LedgerBench;
import dev.odim.bench.payments.PaymentsBench;
import dev.odim.bench.queue.QueueBench;
import dev.odim.bench.reconciliation.ReconciliationBench;
import dev.odim.bench.uploads.UploadsBench;
import dev.odim.bench.webhooks.WebhooksBench;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** {@code ./odim bench NAME [--quick]}: runs one benchmark family. */
public final class Main {
  private Main() {}

  static List<BenchFamily> families() {
    return List.of(
        new DbBench(),
        new LedgerBench(),
        new PaymentsBench(),
        new QueueBench(),
        new WebhooksBench(),
        new ReconciliationBench(),
        new UploadsBench());
  }

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.getenv(), new ResultSink(System.out, System.err)));
  }

  static int run(String[] args, Map<String, String> environment, ResultSink sink) throws Exception {
    Map<String, BenchFamily> byName =
        families().stream().collect(Collectors.toMap(BenchFamily::name, Function.identity()));
    List<String> names = new ArrayList<>();
    boolean quick = false;
    for (String arg : args) {
      if (arg.equals("--quick")) {
        quick = true;
      } else if (arg.startsWith("-")) {
        return usage(sink, byName, "unknown option " + arg);
      } else {
        names.add(arg);
      }
    }
    if (names.size() != 1 || !byName.containsKey(names.getFirst())) {
      return usage(
          sink, byName, names.isEmpty() ? "name a benchmark family" : "unknown family " + names);
    }
    byName.get(names.getFirst()).run(new BenchOptions(quick, environment), sink);
    return 0;
  }

  private static int usage(ResultSink sink, Map<String, BenchFamily> families, String problem) {
    sink.progress(problem);
    sink.progress("usage: ./odim bench NAME [--quick]; families:");
    families.values().forEach(f -> sink.progress("  " + f.name() + "  " + f.description()));
    return 2;
  }
}
