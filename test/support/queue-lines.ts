import type { FlowInput } from '../../src/ivr/flow';
import { aLoggedInAccount } from './accounts';
import type { RunningApp } from './app';
import type { FrameSocket } from './chat-client';
import { aDesktopSocket } from './desktop';
import {
  aDialledNumber,
  postWebhook,
  publishFlow,
  validVerbs,
  type Verb,
} from './jambonz';

/**
 * Queue lines for the voice routing tests: an ACD queue with a live flow
 * that routes calls to it, agents in it with their desktops open, and
 * signed webhooks into the running app.
 */

export const queueSipDomain = 'agents.example.test';

let sequence = 0;

export function queueLines(running: RunningApp, secret: string) {
  const sockets: FrameSocket[] = [];
  afterAll(() => {
    for (const socket of sockets) {
      socket.close();
    }
  });

  /** A queue of the test's own, and a live flow that routes to it. */
  async function aQueueLine(): Promise<{ queue: string; number: string }> {
    sequence += 1;
    const queue = `line-${sequence}`;
    await running.app.agents.acd.defineQueue(queue, {
      name: `Line ${sequence}`,
      offerTimeoutSeconds: 30,
    });
    const flow: FlowInput = {
      id: `queue-test-${sequence}`,
      name: 'Queue routing test',
      start: 'greet',
      nodes: {
        greet: { type: 'say', text: 'Hello.', next: 'agents' },
        agents: {
          type: 'queue',
          queue,
          prompt: 'Putting you through.',
          on: { unavailable: 'bye' },
        },
        bye: { type: 'hangup', prompt: 'Nobody can take your call. Goodbye.' },
      },
    };
    const number = aDialledNumber();
    await publishFlow(running.redis.client, flow, number);
    return { queue, number };
  }

  /** An agent account in `queue`, signed in, its desktop open. */
  async function anAgentIn(queue: string, available = true) {
    const agent = await aLoggedInAccount(running.base, {
      queues: [queue],
      skills: [],
    });
    const session = agent.cookie.replace(/^bl_session=/, '');
    const desktop = await aDesktopSocket(running.base, session);
    sockets.push(desktop);
    if (available) {
      await running.app.agents.acd.setState(agent.id, 'available');
    }
    const sipUri = `sip:${agent.input.username}@${queueSipDomain}`;
    return { ...agent, desktop, sipUri };
  }

  function post(path: string, body: Record<string, unknown>) {
    return postWebhook(running.base, path, body, { secret });
  }

  /** A signed webhook's answer, which must be a valid verb array. */
  async function verbsOf(path: string, body: Record<string, unknown>) {
    const reply = await post(path, body);
    expect(reply.status).toBe(200);
    return validVerbs(reply.body);
  }

  return { aQueueLine, anAgentIn, post, verbsOf };
}

export function dialOf(verbs: Verb[]): Verb | undefined {
  return verbs.find((verb) => verb.verb === 'dial');
}

export function sipUriOf(dial: Verb | undefined): unknown {
  const target = (dial?.target as { sipUri?: unknown }[] | undefined)?.[0];
  return target?.sipUri;
}
