// Peer benchmark: BullMQ throughput on Redis.
// Manual tool, not part of CI. See README.md.
//
// 1. Obliterates a dedicated queue (default: odim-peers-bullmq) on Redis db 0.
//    Only that queue's keys are removed; the database is NOT flushed.
// 2. Enqueues JOBS no-op jobs with Queue.addBulk (batches of ENQUEUE_BATCH),
//    job option removeOnComplete: true. Not timed.
// 3. Starts one Worker (concurrency CONCURRENCY, no-op processor, otherwise
//    BullMQ defaults) and times from worker.run() until the worker has
//    emitted "completed" for every job (the event fires after the job has been
//    moved to completed/removed in Redis); then checks the queue is empty.
// Prints one JSON line on stdout; progress goes to stderr.
//
// BullMQ 6 loads ioredis lazily via require(), which does not exist in its
// ESM build, so ioredis instances are passed in explicitly.

import { readFileSync } from "node:fs";
import { Queue, Worker } from "bullmq";
import IORedis from "ioredis";

const pkgVersion = (name) =>
  JSON.parse(
    readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url)),
  ).version;

const env = (k, d) => process.env[k] ?? d;
const REDIS_HOST = env("REDIS_HOST", "127.0.0.1");
const REDIS_PORT = parseInt(env("REDIS_PORT", "6379"), 10);
const REDIS_DB = parseInt(env("REDIS_DB", "0"), 10);
const QUEUE = env("BULLMQ_QUEUE", "odim-peers-bullmq");
const JOBS = parseInt(env("JOBS", "100000"), 10);
const CONCURRENCY = parseInt(env("CONCURRENCY", "50"), 10);
const ENQUEUE_BATCH = parseInt(env("ENQUEUE_BATCH", "1000"), 10);

const log = (m) => console.error(`[bullmq.mjs] ${m}`);

const redis = () =>
  new IORedis({
    host: REDIS_HOST,
    port: REDIS_PORT,
    db: REDIS_DB,
    maxRetriesPerRequest: null, // required by BullMQ workers
  });

async function main() {
  const queueConn = redis();
  const workerConn = redis();
  const queue = new Queue(QUEUE, { connection: queueConn });
  let worker;
  try {
    await queue.waitUntilReady();
    await queue.obliterate({ force: true });

    log(`enqueueing ${JOBS} jobs into queue ${QUEUE} (db ${REDIS_DB})`);
    const tEnq = process.hrtime.bigint();
    for (let i = 0; i < JOBS; i += ENQUEUE_BATCH) {
      const n = Math.min(ENQUEUE_BATCH, JOBS - i);
      const batch = new Array(n);
      for (let j = 0; j < n; j++) {
        batch[j] = {
          name: "noop",
          data: { id: i + j },
          opts: { removeOnComplete: true },
        };
      }
      await queue.addBulk(batch);
    }
    const enqMs = Number(process.hrtime.bigint() - tEnq) / 1e6;
    const before = await queue.getJobCounts();
    const queued = (before.waiting ?? 0) + (before.wait ?? 0);
    if (queued !== JOBS) {
      throw new Error(`expected ${JOBS} waiting jobs, got ${JSON.stringify(before)}`);
    }
    log(`enqueued ${queued} in ${enqMs.toFixed(0)} ms; starting worker`);

    let completed = 0;
    let failed = 0;
    let resolveDone;
    const done = new Promise((r) => (resolveDone = r));
    worker = new Worker(QUEUE, async () => {}, {
      connection: workerConn,
      concurrency: CONCURRENCY,
      autorun: false,
    });
    worker.on("completed", () => {
      if (++completed === JOBS) resolveDone();
    });
    worker.on("failed", (_job, err) => {
      failed++;
      log(`job failed: ${err?.message}`);
    });
    worker.on("error", (err) => log(`worker error: ${err?.message}`));
    await worker.waitUntilReady();

    const t0 = process.hrtime.bigint();
    const running = worker.run();
    await done;
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;

    const after = await queue.getJobCounts();
    const left = Object.values(after).reduce((a, b) => a + b, 0);
    if (left !== 0 || failed !== 0) {
      log(`WARNING: jobs left after run: ${JSON.stringify(after)}, failed=${failed}`);
    }

    await worker.close();
    await running.catch(() => {});
    worker = undefined;

    console.log(
      JSON.stringify({
        bench: "peers",
        scenario: "bullmq-process",
        ops_per_sec: Math.round((JOBS / ms) * 1000),
        jobs: JOBS,
        completed,
        failed,
        left_in_queue: left,
        concurrency: CONCURRENCY,
        wall_ms: Math.round(ms),
        enqueue_ms: Math.round(enqMs),
        version: pkgVersion("bullmq"),
      }),
    );
  } finally {
    if (worker) await worker.close(true).catch(() => {});
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    queueConn.disconnect();
    workerConn.disconnect();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
