// Peer benchmark: Graphile Worker throughput on PostgreSQL.
// Manual tool, not part of CI. See README.md.
//
// 1. Drops and re-creates a dedicated schema (default: odim_peers_graphile) in
//    the target database and installs Graphile Worker's migrations there.
// 2. Enqueues JOBS no-op jobs via WorkerUtils.addJobs (the add_jobs SQL
//    function), in batches. Not timed.
// 3. Starts one worker pool with concurrency CONCURRENCY and the batching
//    settings from graphile-worker's own perfTest/graphile.config.js
//    (localQueue size 500 + 10 ms refetchDelay, completeJobBatchDelay 0,
//    failJobBatchDelay 0, maxPoolSize = concurrency + 1).
// 4. Times from just before run() until the jobs table is empty
//    (i.e. every job has been executed and its completion committed).
// Prints one JSON line on stdout; progress goes to stderr.

import { readFileSync } from "node:fs";
import { Logger, makeWorkerUtils, run } from "graphile-worker";

const pkgVersion = (name) =>
  JSON.parse(
    readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url)),
  ).version;

const env = (k, d) => process.env[k] ?? d;
const CONNECTION_STRING = env(
  "DATABASE_URL",
  "postgres://postgres@127.0.0.1:5432/test",
);
const SCHEMA = env("GRAPHILE_SCHEMA", "odim_peers_graphile");
const JOBS = parseInt(env("JOBS", "100000"), 10);
const CONCURRENCY = parseInt(env("CONCURRENCY", "50"), 10);
const LOCAL_QUEUE_SIZE = parseInt(env("LOCAL_QUEUE_SIZE", "500"), 10);
const ENQUEUE_BATCH = 5000;

if (!/^[a-z_][a-z0-9_]*$/.test(SCHEMA)) {
  throw new Error(`unsafe schema name: ${SCHEMA}`);
}

// Only warnings/errors; graphile logs every job at info level otherwise.
const logger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") {
    console.error(`[graphile ${level}] ${message}`);
  }
});
const log = (m) => console.error(`[graphile.mjs] ${m}`);

const preset = {
  worker: {
    connectionString: CONNECTION_STRING,
    schema: SCHEMA,
    concurrentJobs: CONCURRENCY,
    maxPoolSize: CONCURRENCY + 1,
    // Same as graphile-worker perfTest/graphile.config.js:
    localQueue: { size: LOCAL_QUEUE_SIZE, refetchDelay: { durationMs: 10 } },
    completeJobBatchDelay: 0,
    failJobBatchDelay: 0,
    gracefulShutdownAbortTimeout: 2500,
  },
};

async function main() {
  const utils = await makeWorkerUtils({
    connectionString: CONNECTION_STRING,
    schema: SCHEMA,
    logger,
  });
  let runner;
  try {
    // Fresh schema every run.
    await utils.withPgClient((c) =>
      c.query(`drop schema if exists ${SCHEMA} cascade`),
    );
    await utils.migrate();

    log(`enqueueing ${JOBS} jobs into schema ${SCHEMA}`);
    const tEnq = process.hrtime.bigint();
    for (let i = 0; i < JOBS; i += ENQUEUE_BATCH) {
      const n = Math.min(ENQUEUE_BATCH, JOBS - i);
      const specs = new Array(n);
      for (let j = 0; j < n; j++) {
        specs[j] = { identifier: "noop", payload: { id: i + j } };
      }
      await utils.addJobs(specs);
    }
    const enqMs = Number(process.hrtime.bigint() - tEnq) / 1e6;
    const {
      rows: [{ n: queued }],
    } = await utils.withPgClient((c) =>
      c.query(`select count(*)::int as n from ${SCHEMA}._private_jobs`),
    );
    if (queued !== JOBS) throw new Error(`expected ${JOBS} jobs, found ${queued}`);
    await utils.withPgClient((c) => c.query(`vacuum analyze ${SCHEMA}._private_jobs`));
    log(`enqueued ${queued} in ${enqMs.toFixed(0)} ms; starting worker`);

    let executed = 0;
    const taskList = {
      noop: async () => {
        executed++;
      },
    };

    const t0 = process.hrtime.bigint();
    runner = await run({ preset, logger, noHandleSignals: true }, taskList);

    // Cheap wait while jobs are running, then poll the table until empty.
    while (executed < JOBS) {
      await new Promise((r) => setTimeout(r, 20));
    }
    for (;;) {
      const { rows } = await utils.withPgClient((c) =>
        c.query(`select exists(select 1 from ${SCHEMA}._private_jobs) as e`),
      );
      if (!rows[0].e) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;

    await runner.stop();
    runner = undefined;

    console.log(
      JSON.stringify({
        bench: "peers",
        scenario: "graphile-worker-process",
        ops_per_sec: Math.round((JOBS / ms) * 1000),
        jobs: JOBS,
        executed,
        concurrency: CONCURRENCY,
        local_queue_size: LOCAL_QUEUE_SIZE,
        wall_ms: Math.round(ms),
        enqueue_ms: Math.round(enqMs),
        version: pkgVersion("graphile-worker"),
      }),
    );
  } finally {
    if (runner) await runner.stop().catch(() => {});
    await utils.release();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
