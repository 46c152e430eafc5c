/**
 * The ingest benchmark's load generator: POSTs the generator's batches over keep-alive
 * connections and times each request. bench/ingest-bench.ts runs it in a child process
 * (runClient), so that sending the bodies does not take CPU from the application it
 * measures; the application's process counts only its own work. The bodies are made
 * before the timed phase, into a temporary file (makeBodies), as the plain path reads its
 * rows before it times its INSERTs: on this 2-core machine, making them while sending took
 * a fifth of a core from the application and the database.
 */
import { fork } from 'child_process';
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'fs';
import { Agent, request } from 'http';
import { tmpdir } from 'os';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { fmt } from './bench-flags';
import { buildPopulation, makeBatch, Population } from './statement-generator';

export interface ClientOptions {
  total: number;
  concurrency: number;
  batch: number;
  seed: number;
  progress: number;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export interface HttpResult {
  stored: number;
  seconds: number;
  rate: number;
  requests: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number; sum: number };
  clientMs: number;
  /** Time to make every body before the timed phase (not counted in `seconds`). */
  makeSeconds: number;
  bytesSent: number;
  /** Failed requests (later resent) by HTTP status. */
  failures: Record<number, number>;
  failureSample: string;
  resends: number;
  /** CPU time of the load generator's process during the HTTP phase. */
  clientCpuSeconds: number;
}

const MAX_RESENDS = 5;

/** Every request body, made once into a temporary file: `read(n)` gives batch n's. */
interface Bodies {
  read(n: number): Buffer;
  seconds: number;
  close(): void;
}

function makeBodies(opts: ClientOptions, pop: Population, batches: number): Bodies {
  const t0 = performance.now();
  const file = join(tmpdir(), `lrs-ingest-bodies-${process.pid}.json`);
  const fd = openSync(file, 'w+');
  const at: { position: number; length: number }[] = [];
  let position = 0;
  try {
    for (let n = 0; n < batches; n++) {
      const size = Math.min(opts.batch, opts.total - n * opts.batch);
      const body = Buffer.from(JSON.stringify(makeBatch(opts.seed, pop, n, size)));
      writeSync(fd, body, 0, body.length, position);
      at.push({ position, length: body.length });
      position += body.length;
    }
  } catch (e) {
    closeSync(fd);
    unlinkSync(file);
    throw e;
  }
  return {
    read(n) {
      const body = Buffer.allocUnsafe(at[n].length);
      readSync(fd, body, 0, body.length, at[n].position);
      return body;
    },
    seconds: (performance.now() - t0) / 1000,
    close() {
      closeSync(fd);
      unlinkSync(file);
    },
  };
}

export async function ingestOverHttp(
  opts: ClientOptions,
  origin: string,
  auth: string,
  pop: Population,
): Promise<HttpResult> {
  const batches = Math.ceil(opts.total / opts.batch);
  const bodies = makeBodies(opts, pop, batches);
  console.log(
    `HTTP: ${fmt(batches)} request bodies made in ${fmt(bodies.seconds, 1)} s before the timed phase`,
  );
  try {
    return await sendBodies(opts, origin, auth, bodies);
  } finally {
    bodies.close();
  }
}

async function sendBodies(
  opts: ClientOptions,
  origin: string,
  auth: string,
  bodies: Bodies,
): Promise<HttpResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const { hostname, port } = new URL(origin);
  const path = '/api/admin/xapi/statements';
  const batches = Math.ceil(opts.total / opts.batch);
  let nextBatch = 0;
  let stored = 0;
  let nextReport = opts.progress;
  let clientMs = 0;
  let bytesSent = 0;
  const latencies: number[] = [];
  const failures: Record<number, number> = {};
  let failureSample = '';
  let resends = 0;
  let failure: unknown = null;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let windowStart = start;
  let windowStored = 0;

  const post = (body: Buffer) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          agent,
          hostname,
          port,
          path,
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': body.length,
            'X-Experience-API-Version': '1.0.3',
            Authorization: auth,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const worker = async () => {
    for (;;) {
      const n = nextBatch++;
      if (n >= batches || failure) return;
      const size = Math.min(opts.batch, opts.total - n * opts.batch);
      const t0 = performance.now();
      const body = bodies.read(n);
      const t1 = performance.now();
      clientMs += t1 - t0;
      bytesSent += body.length;
      let res = await post(body);
      // A client resends a batch the server failed (the transaction was rolled back, and
      // statements already stored are accepted again when identical); each failure is counted.
      for (let attempt = 1; res.status !== 200 && attempt <= MAX_RESENDS; attempt++) {
        failures[res.status] = (failures[res.status] ?? 0) + 1;
        if (!failureSample) failureSample = `HTTP ${res.status} ${res.text.slice(0, 300)}`;
        await new Promise((r) => setTimeout(r, 20 * attempt));
        res = await post(body);
        resends++;
      }
      latencies.push(performance.now() - t1);
      if (res.status !== 200) {
        throw new Error(`Batch ${n}: HTTP ${res.status} ${res.text.slice(0, 2000)}`);
      }
      const ids = JSON.parse(res.text) as string[];
      if (ids.length !== size)
        throw new Error(`Batch ${n}: ${ids.length} ids for ${size} statements`);
      stored += size;
      windowStored += size;
      if (stored >= nextReport) {
        const now = performance.now();
        console.log(
          `  ${fmt(stored).padStart(9)} stored  ${fmt((now - start) / 1000, 1).padStart(7)} s  ` +
            `${fmt((windowStored * 1000) / (now - windowStart)).padStart(6)} stmt/s (last ${fmt(windowStored)})  ` +
            `${fmt((stored * 1000) / (now - start)).padStart(6)} stmt/s overall`,
        );
        windowStart = now;
        windowStored = 0;
        while (nextReport <= stored) nextReport += opts.progress;
      }
    }
  };
  try {
    // The first error stops every worker before anything is closed.
    await Promise.all(
      Array.from({ length: opts.concurrency }, () =>
        worker().catch((e) => {
          failure ??= e;
        }),
      ),
    );
  } finally {
    agent.destroy();
  }
  if (failure) throw failure;
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  return {
    stored,
    seconds,
    rate: stored / seconds,
    requests: latencies.length,
    latencyMs: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1] ?? 0,
      sum: latencies.reduce((a, b) => a + b, 0),
    },
    clientMs,
    makeSeconds: bodies.seconds,
    bytesSent,
    failures,
    failureSample,
    resends,
    clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

/**
 * Runs ingestOverHttp in a child process (this file under ts-node) and resolves with its
 * result; its progress lines go to this process's stdout.
 */
export function runClient(opts: ClientOptions, origin: string, auth: string): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [], {
      execArgv: ['-r', 'ts-node/register/transpile-only'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: HttpResult | null = null;
    child.on('message', (m: { result?: HttpResult; error?: string }) => {
      if (m.result) result = m.result;
      if (m.error) reject(new Error(`load generator: ${m.error}`));
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      result ? resolve(result) : reject(new Error(`load generator exited with ${code}`)),
    );
    child.send({ opts, origin, auth });
  });
}

if (require.main === module && process.send) {
  process.once('message', (m: { opts: ClientOptions; origin: string; auth: string }) => {
    ingestOverHttp(m.opts, m.origin, m.auth, buildPopulation(m.opts.seed)).then(
      (result) => process.send!({ result }, () => process.exit(0)),
      (e) => process.send!({ error: String(e?.stack ?? e) }, () => process.exit(1)),
    );
  });
}
