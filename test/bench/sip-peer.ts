import { DrachtioPeer, type PeerAnswer } from '../support/drachtio-peer';
import { anInvite, type SipSource } from '../support/sip-messages';
import type {
  SipCommand,
  SipPhaseSpec,
  SipReply,
  SipTargetName,
} from './sip-client';
import { seededRandom } from './fixtures';
import { fixedRate, fullSpeed } from './load';
import type { Seeded } from './measure';

/**
 * The SIP phases' drachtio-server side: a child process the bench forks
 * (see sip-client.ts for why). It runs two test peers, one for the edge and
 * one for the constant application, and on `run` sends INVITEs from seeded
 * callers through one of them with the same drivers as the other phases,
 * each timed from its sending to the application's proxy instruction.
 */

const customerHeader = 'x-bridgeline-customer';

// A handful of carrier trunks (TEST-NET-3, RFC 5737), as a contact center
// takes its calls from; the bench sets the edge's per-source rate limit
// far above what it offers from each.
const trunks: SipSource[] = [1, 2, 3, 4].map((host) => ({
  address: `203.0.113.${host}`,
  port: 5060,
}));

interface Peers {
  peers: Record<SipTargetName, DrachtioPeer>;
  ivrUri: string;
  seeded: Seeded;
}

let state: Peers | undefined;
const controller = new AbortController();

function reply(message: SipReply): void {
  process.send?.(message);
}

/**
 * INVITEs from random seeded callers, the same sequence every run. Each must
 * be proxied to the IVR; the edge's, with that caller's customer id too: a
 * call sent on as unknown (its lookup over budget) counts as an error.
 */
function invites(target: SipTargetName, setup: Peers) {
  const { seeded, ivrUri } = setup;
  const peer = setup.peers[target];
  const pick = seededRandom(4_475);
  return async (index: number) => {
    const caller = Math.floor(pick() * seeded.ids.length);
    const answer = await peer.send(
      anInvite({
        from: seeded.phones[caller] ?? '',
        source: trunks[index % trunks.length],
      }),
    );
    const proxy = proxied(answer, ivrUri);
    const expected = seeded.ids[caller];
    if (target === 'edge' && proxy.headers[customerHeader] !== expected) {
      throw new Error("the INVITE went on without the caller's customer id");
    }
  };
}

function proxied(answer: PeerAnswer, ivrUri: string) {
  if (answer.kind === 'response') {
    throw new Error(`the INVITE was answered ${answer.final.status}`);
  }
  if (answer.kind === 'none') {
    throw new Error('the INVITE got no answer in time');
  }
  if (answer.proxy.destinations[0] !== ivrUri) {
    throw new Error(`the INVITE went to ${answer.proxy.destinations.join()}`);
  }
  return answer.proxy;
}

async function run(spec: SipPhaseSpec): Promise<SipReply> {
  if (!state) {
    throw new Error('run before init');
  }
  await state.peers[spec.target].connected();
  const send = invites(spec.target, state);
  const { load, durationMs } = spec;
  const { signal } = controller;
  const cpuStart = process.cpuUsage();
  const result =
    load.kind === 'full'
      ? await fullSpeed(send, load.concurrency, durationMs, signal)
      : await fixedRate(send, load.rate, durationMs, signal);
  const cpu = process.cpuUsage(cpuStart);
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
    },
  };
}

async function handle(command: SipCommand): Promise<SipReply> {
  switch (command.kind) {
    case 'init': {
      const { secret, ivrUri, seeded } = command;
      const peers = {
        edge: await DrachtioPeer.start({ secret }),
        constant: await DrachtioPeer.start({ secret }),
      };
      state = { peers, ivrUri, seeded };
      return {
        kind: 'ready',
        ports: { edge: peers.edge.port, constant: peers.constant.port },
      };
    }
    case 'run':
      return run(command.spec);
  }
}

process.on('message', (message: SipCommand) => {
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
