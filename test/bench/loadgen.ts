import { Pool } from 'undici';
import { CallMaker, checkCallReply, verbsOf, type CallRequest } from './calls';
import type { ClientCommand, ClientReply, PhaseSpec } from './client';
import { fixedRate, fullSpeed, type RunResult } from './load';

/**
 * The webhook phases' load generator: a child process the bench forks (see
 * client.ts for why). It warms up, signs the phase's requests, and on `run`
 * measures with the same drivers as the card lookups, over undici: a real
 * HTTP/1.1 client on keep-alive loopback connections, as jambonz keeps
 * them to its webhook servers.
 */

/** Requests the warm-up cycles through: it needs no call_sid of its own. */
const warmupRequests = 5_000;
/** What a phase that may repeat requests cycles through. */
const repeatedRequests = 20_000;
/**
 * A flat-out phase signs for twice the warm-up's throughput: the warm-up
 * starts cold, so the phase runs faster, but not twice as fast.
 */
const fullSpeedMargin = 2;

interface Prepared {
  spec: PhaseSpec;
  pool: Pool;
  requests: CallRequest[];
}

let maker: CallMaker | undefined;
let prepared: Prepared | undefined;
const controller = new AbortController();

function reply(message: ClientReply): void {
  process.send?.(message);
}

/** Sends requests in turn, and says how many it sent more than once. */
function sender(spec: PhaseSpec, pool: Pool, requests: CallRequest[]) {
  let next = 0;
  const send = async () => {
    const request = requests[next++ % requests.length];
    if (request === undefined) {
      throw new Error('no request was signed for this phase');
    }
    const { statusCode, body } = await pool.request({
      path: spec.path,
      method: 'POST',
      headers: request.headers,
      body: request.body,
    });
    const text = await body.text();
    if (spec.check === 'call') {
      checkCallReply(statusCode, text, request);
    } else {
      verbsOf(statusCode, text);
    }
  };
  return { send, reused: () => Math.max(0, next - requests.length) };
}

function drive(
  spec: PhaseSpec,
  send: () => Promise<void>,
  durationMs: number,
): Promise<RunResult> {
  const { load } = spec;
  const { signal } = controller;
  return load.kind === 'full'
    ? fullSpeed(send, load.connections, durationMs, signal)
    : fixedRate(send, load.rate, durationMs, signal);
}

/**
 * Opens the connections and warms both sides' JIT, recording nothing, then
 * signs the phase's requests: as many as the phase will send, so each new
 * call has a call_sid of its own.
 */
async function prepare(spec: PhaseSpec): Promise<void> {
  if (!maker) {
    throw new Error('prepare before init');
  }
  const pool = new Pool(spec.origin, {
    connections: spec.load.connections,
    pipelining: 1,
  });
  const warmup = sender(spec, pool, maker.make(warmupRequests));
  const warm = await drive(spec, warmup.send, spec.warmupMs);

  const seconds = spec.phaseMs / 1000;
  let count = repeatedRequests;
  if (spec.load.kind === 'fixed') {
    count = Math.ceil(spec.load.rate * seconds);
  } else if (spec.unique) {
    const rate = warm.latencies.count / (warm.elapsedMs / 1000);
    // A floor, so a warm-up that failed throughout still leaves requests
    // whose replies say why.
    count = Math.max(1_000, Math.ceil(rate * seconds * fullSpeedMargin));
  }
  prepared = { spec, pool, requests: maker.make(count) };
}

async function run(): Promise<ClientReply> {
  const phase = prepared;
  if (!phase) {
    throw new Error('run before prepare');
  }
  prepared = undefined;
  const { spec, pool, requests } = phase;
  const { send, reused } = sender(spec, pool, requests);
  const cpuStart = process.cpuUsage();
  const result = await drive(spec, send, spec.phaseMs);
  const cpu = process.cpuUsage(cpuStart);
  await pool.close();
  return {
    kind: 'result',
    outcome: {
      latency: result.latencies.summary(),
      elapsedMs: result.elapsedMs,
      errors: result.errors,
      ...(result.firstError === undefined
        ? {}
        : { firstError: result.firstError }),
      clientCpuMs: (cpu.user + cpu.system) / 1000,
      reused: spec.unique ? reused() : 0,
    },
  };
}

async function handle(command: ClientCommand): Promise<ClientReply> {
  switch (command.kind) {
    case 'init':
      maker = new CallMaker(command.secret, command.customers);
      return { kind: 'ready' };
    case 'prepare':
      await prepare(command.spec);
      return { kind: 'ready' };
    case 'run':
      return run();
  }
}

process.on('message', (message: ClientCommand) => {
  handle(message).then(reply, (err: unknown) => {
    reply({
      kind: 'failed',
      message: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
  });
});

// The bench ended, however it ended: nothing is left to send to.
process.once('disconnect', () => {
  controller.abort(new Error('the bench went away'));
  process.exit(0);
});
