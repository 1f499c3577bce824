import { startBridgeline, type Bridgeline } from '../../src/app';
import { loadConfig } from '../../src/config';
import { setSipCredentials } from '../../src/voice/sip/credentials';
import { DrachtioPeer, type PeerAnswer } from '../support/drachtio-peer';
import { aCustomer, aPhone } from '../support/factories';
import {
  aCallBody,
  aDialledNumber,
  aVoiceFlow,
  postWebhook,
  publishFlow,
  spoken,
  validVerbs,
} from '../support/jambonz';
import {
  silentLogger,
  startTestRedis,
  tempDir,
  type TestRedis,
} from '../support/redis';
import {
  aRegister,
  aSource,
  anInvite,
  anOptions,
  headerParam,
  type SipResponse,
  type SipSource,
} from '../support/sip-messages';
import { digestAuthorization, digestParams } from '../support/sip-digest';

/**
 * The SIP edge over the wire: bridgeline starts as an operator runs it,
 * with DRACHTIO_HOST pointing at the test peer, and real SIP goes through
 * the real drachtio-srf library. The assertions are on the SIP the edge
 * sends back, which is all a carrier or a softphone ever sees.
 */

const secret = 'edge-wire-secret';
const webhookSecret = 'jambonz-webhook-secret-for-sip-tests';
const ivrUri = 'sip:ivr@jambonz.example.com';
const realm = 'bridgeline';
const blocked = aPhone();
const rateLimit = 4;
/** How long a dropped request is waited for before calling it dropped. */
const silence = 400;

interface Edge {
  app: Bridgeline;
  peer: DrachtioPeer;
}

let redis: TestRedis;
const edges: Edge[] = [];

async function startEdge(env: Record<string, string>): Promise<Edge> {
  const peer = await DrachtioPeer.start({ secret });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: '0',
    REDIS_URL: redis.server.url,
    ADMIN_TOKEN: 'test-admin-token-0123456789',
    DATA_DIR: await tempDir('sip-edge'),
    JAMBONZ_WEBHOOK_SECRET: webhookSecret,
    DRACHTIO_HOST: '127.0.0.1',
    DRACHTIO_PORT: String(peer.port),
    DRACHTIO_SECRET: secret,
    SIP_IVR_URI: ivrUri,
    SIP_REALM: realm,
    SIP_BLOCKED_NUMBERS: blocked,
    SIP_RATE_LIMIT: String(rateLimit),
    SIP_RATE_WINDOW_MS: '60000',
    SIP_RATE_BLOCK_MS: '60000',
    SIP_AUTH_MAX_FAILURES: '50',
    ...env,
  });
  const app = await startBridgeline(config, silentLogger);
  const edge = { app, peer };
  edges.push(edge);
  await peer.connected();
  return edge;
}

let proxy: Edge;
let redirect: Edge;

beforeAll(async () => {
  redis = await startTestRedis();
  proxy = await startEdge({});
  redirect = await startEdge({
    SIP_ROUTING_MODE: 'redirect',
    SIP_REJECT_ACTION: 'drop',
    SIP_RATE_LIMIT_ACTION: 'drop',
  });
});

afterAll(async () => {
  for (const { app, peer } of edges) {
    await app.close();
    await peer.close();
  }
  await redis.stop();
});

function finalOf(answer: PeerAnswer): SipResponse {
  if (answer.kind !== 'response') {
    throw new Error(`expected a SIP response, got ${answer.kind}`);
  }
  return answer.final;
}

function proxiedOf(answer: PeerAnswer) {
  if (answer.kind !== 'proxy') {
    throw new Error(`expected the call to be proxied, got ${answer.kind}`);
  }
  return answer.proxy;
}

function contextHeaders(headers: Record<string, string>) {
  return {
    customer: headers['x-bridgeline-customer'],
    conversation: headers['x-bridgeline-conversation'],
  };
}

/** The URI of a Contact, and the headers it carries after '?' (§19.1.1). */
function redirectTarget(contact: string) {
  const uri = /<([^>]+)>/.exec(contact)?.[1] ?? contact;
  const [base = '', query = ''] = uri.split('?');
  const headers = Object.fromEntries(
    [...new URLSearchParams(query)].map(([k, v]) => [k.toLowerCase(), v]),
  );
  return { uri: base, headers };
}

/** The MD5 challenge among those offered (one per header, RFC 8760). */
function md5Challenge(response: SipResponse): string {
  const offered = response.message.headers
    .filter(([name]) => name.toLowerCase() === 'www-authenticate')
    .map(([, value]) => value);
  const md5 = offered.find((value) => /algorithm=MD5\b/i.test(value));
  if (md5 === undefined) {
    throw new Error(`no MD5 challenge in ${offered.join(' | ')}`);
  }
  return md5;
}

let agentSequence = 0;

/** An agent whose softphone has registered through the edge. */
async function aRegisteredAgent(edge: Edge) {
  agentSequence += 1;
  const user = `70${String(agentSequence).padStart(2, '0')}`;
  const agentId = `agent-${agentSequence}`;
  const password = 'correct horse battery';
  await setSipCredentials(redis.client, { user, agentId, realm, password });
  const source = aSource();
  const challenge = finalOf(await edge.peer.send(aRegister({ user, source })));
  const authorization = digestAuthorization({
    challenge: md5Challenge(challenge),
    user,
    password,
    method: 'REGISTER',
    uri: `sip:bridgeline.example.com`,
  });
  const registered = finalOf(
    await edge.peer.send(aRegister({ user, source, authorization, cseq: 2 })),
  );
  expect(registered.status).toBe(200);
  return { user, agentId, password, source };
}

describe('the SIP edge over the wire', () => {
  describe('when a known caller whose conversation has a registered agent calls', () => {
    it('sends the call to that agent’s softphone', async () => {
      const agent = await aRegisteredAgent(proxy);
      const { customer, phone } = await aCustomer(proxy.app.store);
      await proxy.app.store.openConversation(customer.id, {
        subject: 'Delivery',
        channel: 'voice',
        agentId: agent.agentId,
      });

      const instruction = proxiedOf(
        await proxy.peer.send(anInvite({ from: phone })),
      );
      expect(instruction.destinations).toHaveLength(1);
      expect(instruction.destinations[0]).toContain(
        `${agent.source.address}:${agent.source.port}`,
      );
      expect(instruction.recordRoute).toBe(true);
    });

    it('sends the call to the IVR when that agent is busy', async () => {
      const agent = await aRegisteredAgent(proxy);
      await redis.client.hset(`agent:{${agent.agentId}}`, 'state', 'busy');
      const { customer, phone } = await aCustomer(proxy.app.store);
      await proxy.app.store.openConversation(customer.id, {
        subject: 'Delivery',
        channel: 'voice',
        agentId: agent.agentId,
      });

      const instruction = proxiedOf(
        await proxy.peer.send(anInvite({ from: phone })),
      );
      expect(instruction.destinations).toEqual([ivrUri]);
    });
  });

  describe('when another known caller calls', () => {
    it('proxies to the IVR with the customer and conversation headers', async () => {
      const { customer, phone } = await aCustomer(proxy.app.store);
      const open = await proxy.app.store.openConversation(customer.id, {
        subject: 'Refund',
        channel: 'chat',
      });

      const instruction = proxiedOf(
        await proxy.peer.send(anInvite({ from: phone })),
      );
      expect(instruction.destinations).toEqual([ivrUri]);
      expect(instruction.recordRoute).toBe(true);
      expect(contextHeaders(instruction.headers)).toEqual({
        customer: customer.id,
        conversation: open.id,
      });
    });

    it('knows them by P-Asserted-Identity over a withheld From', async () => {
      const { customer, phone } = await aCustomer(proxy.app.store);
      const instruction = proxiedOf(
        await proxy.peer.send(anInvite({ from: 'anonymous', pai: phone })),
      );
      expect(contextHeaders(instruction.headers).customer).toBe(customer.id);
    });

    it('knows them from a compact From and a lower-case P-Asserted-Identity', async () => {
      const { customer, phone } = await aCustomer(proxy.app.store);
      // RFC 3261 §7.3.3 and §7.3.1: `f:` is From, and names are
      // case-insensitive.
      const invite = anInvite({ from: 'anonymous', pai: phone })
        .replace('\r\nFrom:', '\r\nf:')
        .replace('\r\nP-Asserted-Identity:', '\r\np-asserted-identity:');
      expect(invite).toContain('\r\nf:');
      const instruction = proxiedOf(await proxy.peer.send(invite));
      expect(contextHeaders(instruction.headers).customer).toBe(customer.id);
    });

    it('redirects to the IVR with the headers in the Contact, in redirect mode', async () => {
      const { customer, phone } = await aCustomer(redirect.app.store);
      const open = await redirect.app.store.openConversation(customer.id, {
        subject: 'Refund',
        channel: 'email',
      });

      const response = finalOf(
        await redirect.peer.send(anInvite({ from: phone })),
      );
      expect(response.status).toBe(302);
      const target = redirectTarget(response.header('contact') ?? '');
      expect(target.uri).toBe(ivrUri);
      expect(contextHeaders(target.headers)).toEqual({
        customer: customer.id,
        conversation: open.id,
      });
    });

    it('is greeted by the IVR as the customer the edge named', async () => {
      const dialled = aDialledNumber();
      await publishFlow(redis.client, aVoiceFlow(), dialled);
      const { customer, phone } = await aCustomer(proxy.app.store, {
        name: 'Grace Hopper',
      });
      const instruction = proxiedOf(
        await proxy.peer.send(anInvite({ from: 'anonymous', pai: phone })),
      );

      // jambonz passes the INVITE's headers on in sip.headers; its `from`
      // is the withheld From, so only the edge's headers can name her.
      const { customer: named } = contextHeaders(instruction.headers);
      const reply = await postWebhook(
        `http://127.0.0.1:${proxy.app.port}`,
        '/jambonz/call',
        aCallBody(
          { from: 'anonymous', to: dialled },
          { 'X-Bridgeline-Customer': named ?? '' },
        ),
        { secret: webhookSecret },
      );
      expect(reply.status).toBe(200);
      expect(named).toBe(customer.id);
      expect(spoken(validVerbs(reply.body))[0]).toBe('Hello Grace.');
    });
  });

  describe('when a caller the edge cannot know calls', () => {
    it.each([
      ['an unknown number', () => anInvite({ from: aPhone() })],
      ['an anonymous caller', () => anInvite({ from: 'anonymous' })],
    ])(
      'sends %s to the IVR with no customer headers',
      async (_case, invite) => {
        const instruction = proxiedOf(await proxy.peer.send(invite()));
        expect(instruction.destinations).toEqual([ivrUri]);
        expect(contextHeaders(instruction.headers)).toEqual({
          customer: undefined,
          conversation: undefined,
        });
      },
    );

    it('never matches a withheld caller to a customer, even with a PAI', async () => {
      const { phone } = await aCustomer(proxy.app.store);
      const instruction = proxiedOf(
        await proxy.peer.send(
          anInvite({ from: 'anonymous', pai: phone, withheld: true }),
        ),
      );
      expect(contextHeaders(instruction.headers).customer).toBeUndefined();
    });
  });

  describe('when a caller is refused', () => {
    it.each([
      ['a blocked number', () => anInvite({ from: blocked })],
      ['a scanner', () => anInvite({ userAgent: 'friendly-scanner' })],
      ['sipvicious', () => anInvite({ userAgent: 'sipvicious 0.3.4' })],
    ])('answers %s 403 when so configured', async (_case, invite) => {
      expect(finalOf(await proxy.peer.send(invite())).status).toBe(403);
    });

    it.each([
      ['a blocked number', () => anInvite({ from: blocked })],
      ['a scanner', () => anInvite({ userAgent: 'friendly-scanner' })],
    ])('drops %s without a word when so configured', async (_case, invite) => {
      const answer = await redirect.peer.send(invite(), {
        deadlineMs: silence,
      });
      expect(answer).toEqual({ kind: 'none' });
    });
  });

  describe('when one source sends too many requests', () => {
    async function flood(edge: Edge, source: SipSource) {
      for (let sent = 0; sent < rateLimit; sent += 1) {
        const answer = await edge.peer.send(anOptions(source));
        expect(finalOf(answer).status).toBe(200);
      }
    }

    it('answers 503 with Retry-After, and only that source', async () => {
      const source = aSource();
      await flood(proxy, source);

      const refused = finalOf(await proxy.peer.send(anOptions(source)));
      expect(refused.status).toBe(503);
      expect(Number(refused.header('retry-after'))).toBeGreaterThan(0);
      const other = finalOf(await proxy.peer.send(anOptions(aSource())));
      expect(other.status).toBe(200);
    });

    it('falls silent when so configured', async () => {
      const source = aSource();
      await flood(redirect, source);
      const answer = await redirect.peer.send(anOptions(source), {
        deadlineMs: silence,
      });
      expect(answer).toEqual({ kind: 'none' });
    });
  });

  describe('when a softphone registers', () => {
    const password = 'correct horse battery';
    let user: string;

    beforeAll(async () => {
      user = 'reg-2001';
      await setSipCredentials(redis.client, {
        user,
        agentId: 'agent-reg',
        realm,
        password,
      });
    });

    it('challenges a REGISTER without credentials', async () => {
      const response = finalOf(await proxy.peer.send(aRegister({ user })));
      expect(response.status).toBe(401);
      const params = digestParams(md5Challenge(response));
      expect(params.realm).toBe(realm);
      expect(params.nonce).toMatch(/.{16,}/);
      expect(params.qop?.split(',')).toContain('auth');
    });

    it('registers good credentials with the Contact and its expiry', async () => {
      const source = aSource();
      const challenge = finalOf(
        await proxy.peer.send(aRegister({ user, source })),
      );
      const authorization = digestAuthorization({
        challenge: md5Challenge(challenge),
        user,
        password,
        method: 'REGISTER',
        uri: 'sip:bridgeline.example.com',
      });
      const response = finalOf(
        await proxy.peer.send(
          aRegister({ user, source, authorization, cseq: 2, expires: 600 }),
        ),
      );
      expect(response.status).toBe(200);
      expect(response.header('contact')).toContain(
        `sip:${user}@${source.address}:${source.port}`,
      );
      const expires =
        headerParam(response.header('contact') ?? '', 'expires') ??
        response.header('expires');
      expect(Number(expires)).toBe(600);
    });

    async function answerFor(name: string, secretWord: string) {
      const source = aSource();
      const challenge = finalOf(
        await proxy.peer.send(aRegister({ user: name, source })),
      );
      const authorization = digestAuthorization({
        challenge: md5Challenge(challenge),
        user: name,
        password: secretWord,
        method: 'REGISTER',
        uri: 'sip:bridgeline.example.com',
      });
      return finalOf(
        await proxy.peer.send(
          aRegister({ user: name, source, authorization, cseq: 2 }),
        ),
      );
    }

    /** What an attacker can compare: status, header names, challenge keys. */
    function shape(response: SipResponse) {
      return {
        status: response.status,
        reason: response.reason,
        headers: response.message.headers.map(([name]) => name.toLowerCase()),
        challenge: Object.keys(digestParams(md5Challenge(response))).sort(),
      };
    }

    it('answers a wrong password and an unknown user alike', async () => {
      const wrong = await answerFor(user, 'not the password');
      const unknown = await answerFor('nobody-9999', password);
      expect(wrong.status).toBe(401);
      expect(shape(unknown)).toEqual(shape(wrong));
    });

    it('refuses a replayed nonce', async () => {
      const source = aSource();
      const challenge = finalOf(
        await proxy.peer.send(aRegister({ user, source })),
      );
      const authorization = digestAuthorization({
        challenge: md5Challenge(challenge),
        user,
        password,
        method: 'REGISTER',
        uri: 'sip:bridgeline.example.com',
        cnonce: 'fixed-cnonce',
      });
      const first = finalOf(
        await proxy.peer.send(
          aRegister({ user, source, authorization, cseq: 2 }),
        ),
      );
      const replay = finalOf(
        await proxy.peer.send(
          aRegister({ user, source, authorization, cseq: 3 }),
        ),
      );
      expect(first.status).toBe(200);
      expect(replay.status).toBe(401);
    });

    it('refuses a disabled account’s softphone like a wrong password, until it is enabled', async () => {
      const { accounts } = proxy.app.agents.accounts;
      const sipUser = 'ada-3001';
      const account = await accounts.create({
        username: 'ada-sip',
        displayName: 'Ada Lovelace',
        role: 'agent',
        password: 'analytical engine 1843',
        sipUser,
        sipPassword: password,
      });
      expect((await answerFor(sipUser, password)).status).toBe(200);

      await accounts.update(account.id, { disabled: true });
      const refused = await answerFor(sipUser, password);
      expect(shape(refused)).toEqual(
        shape(await answerFor(user, 'not the password')),
      );
      // New SIP credentials do not let a disabled account back in.
      await accounts.update(account.id, {
        sipUser: 'ada-3002',
        sipPassword: 'difference engine',
      });
      expect((await answerFor('ada-3002', 'difference engine')).status).toBe(
        401,
      );

      await accounts.update(account.id, { disabled: false });
      expect((await answerFor('ada-3002', 'difference engine')).status).toBe(
        200,
      );
    });
  });

  describe('when the IVR platform or a trunk sends OPTIONS', () => {
    it('answers 200', async () => {
      const response = finalOf(await proxy.peer.send(anOptions()));
      expect(response.status).toBe(200);
    });
  });
});
