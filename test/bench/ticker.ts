import { Worker } from 'node:worker_threads';

/**
 * A clock for the open loop that neither oversleeps nor spins. Node's timers
 * have millisecond granularity and often fire a millisecond or two late, as
 * much as the latency budget being measured; spinning on setImmediate instead
 * burns a core the server needs and feeds the garbage collector. A worker
 * thread sleeps on Atomics.wait, which wakes within tens of microseconds,
 * and posts the number of requests due; the main thread sleeps in its event
 * loop until then, as a server between requests does.
 */

// Plain JavaScript: it runs as is in the worker, which has no TS loader.
const source = `
const { parentPort, workerData } = require('node:worker_threads');
const { startMs, intervalMs, total } = workerData;
const cell = new Int32Array(new SharedArrayBuffer(4));
const now = () => performance.timeOrigin + performance.now();
let due = 0;
while (due < total) {
  const left = startMs + due * intervalMs - now();
  if (left > 0) {
    Atomics.wait(cell, 0, 0, left);
    continue;
  }
  const elapsed = now() - startMs;
  due = Math.min(total, Math.floor(elapsed / intervalMs) + 1);
  parentPort.postMessage(due);
}
`;

/**
 * Calls `onDue(n, intendedMs)` whenever the first n of `total` requests are
 * due, request i being due at intendedMs(i) on this thread's performance
 * clock. Resolves once all are due.
 */
export function tickAtRate(
  rate: number,
  total: number,
  onDue: (due: number, intendedMs: (index: number) => number) => void,
  signal: AbortSignal,
): Promise<void> {
  const intervalMs = 1000 / rate;
  // A little ahead, so the worker is up before the first request is due.
  const startMs = performance.timeOrigin + performance.now() + 50;
  const start = startMs - performance.timeOrigin;
  const intendedMs = (index: number) => start + index * intervalMs;
  const worker = new Worker(source, {
    eval: true,
    workerData: { startMs, intervalMs, total },
  });

  const stop = () => void worker.terminate();
  signal.addEventListener('abort', stop, { once: true });

  return new Promise<void>((resolve, reject) => {
    worker.on('message', (due: number) => {
      onDue(due, intendedMs);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code === 0) {
        resolve();
      } else {
        reject(new Error(`the rate ticker exited with code ${code}`));
      }
    });
  }).finally(() => {
    signal.removeEventListener('abort', stop);
  });
}
