import { pino } from 'pino';
import { Registry } from 'prom-client';
import { loadConfig } from '../../src/config';
import { setSipCredentials } from '../../src/voice/sip/credentials';
import { createSipEdge, type SipEdge } from '../../src/voice/sip/edge';
import { aCustomer } from '../support/factories';
import { DrachtioPeer, type PeerAnswer } from '../support/drachtio-peer';
import { storeOnOwnRedis } from '../support/redis';
import { digestAuthorization } from '../support/sip-digest';
import { aRegister, aSource, anInvite } from '../support/sip-messages';

/**
 * The edge's own end-to-end checks through engineer E's drachtio-server
 * peer: the real drachtio-srf library in between, real Redis behind.
 * The wide wire-level suite is test/integration/sip-edge.test.ts.
 */

const ctx = storeOnOwnRedis();
let peer: DrachtioPeer;
let edge: SipEdge;

beforeAll(async () => {
  peer = await DrachtioPeer.start({ secret: 'wire-secret' });
  const { sip } = loadConfig({
    DRACHTIO_HOST: '127.0.0.1',
    DRACHTIO_PORT: String(peer.port),
    DRACHTIO_SECRET: 'wire-secret',
    SIP_IVR_URI: 'sip:ivr@jambonz.example.com',
  });
  edge = createSipEdge({
    settings: sip,
    store: ctx.store,
    redis: ctx.redis.client,
    logger: pino({ level: 'silent' }),
    registry: new Registry(),
  });
  edge.start();
  await peer.connected();
});

afterAll(async () => {
  await edge.stop();
  await peer.close();
});

function proxiedTo(answer: PeerAnswer) {
  if (answer.kind !== 'proxy') {
    throw new Error(`expected a proxy instruction, got ${answer.kind}`);
  }
  return answer.proxy;
}

describe('the SIP edge over the wire', () => {
  it('says it is connected once drachtio-server accepted its secret', async () => {
    // drachtio-srf reports the connection a couple of ticks after the peer
    // sees it authenticate.
    for (let i = 0; i < 100 && edge.state !== 'connected'; i += 1) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(edge.state).toBe('connected');
  });

  it('sends a known caller to the registered agent of their open conversation', async () => {
    const { customer, phone } = await aCustomer(ctx.store);
    await ctx.store.openConversation(customer.id, {
      subject: 'Refund',
      channel: 'chat',
      agentId: 'agent-ada',
    });
    await edge.registrations.save(
      'agent-ada',
      {
        user: 'ada',
        contact: '<sip:ada@198.51.100.20:5060>',
        source: 'udp:198.51.100.20:5060',
        userAgent: 'Zoiper',
      },
      300,
    );

    const proxy = proxiedTo(await peer.send(anInvite({ from: phone })));
    expect(proxy.destinations).toEqual(['sip:ada@198.51.100.20:5060']);
    expect(proxy.recordRoute).toBe(true);
    expect(proxy.headers['x-bridgeline-customer']).toBe(customer.id);
  });

  it('sends another known caller to the IVR with their customer and conversation', async () => {
    const { customer, phone } = await aCustomer(ctx.store);
    const conversation = await ctx.store.openConversation(customer.id, {
      subject: 'Delivery',
      channel: 'sms',
    });

    const proxy = proxiedTo(await peer.send(anInvite({ pai: phone })));
    expect(proxy.destinations).toEqual(['sip:ivr@jambonz.example.com']);
    expect(proxy.headers).toMatchObject({
      'x-bridgeline-customer': customer.id,
      'x-bridgeline-conversation': conversation.id,
    });
  });

  it('registers a softphone with digest auth and refuses the replayed request', async () => {
    await setSipCredentials(ctx.redis.client, {
      user: 'grace',
      agentId: 'agent-grace',
      realm: 'bridgeline',
      password: 'hopper-1906',
    });
    const source = aSource();
    const first = await peer.send(aRegister({ user: 'grace', source }));
    if (first.kind !== 'response') {
      throw new Error('expected a challenge');
    }
    expect(first.final.status).toBe(401);
    const challenge = first.final.header('www-authenticate') ?? '';

    const authorization = digestAuthorization({
      challenge,
      user: 'grace',
      password: 'hopper-1906',
      method: 'REGISTER',
      uri: 'sip:bridgeline.example.com',
    });
    const signed = aRegister({ user: 'grace', source, authorization });
    const accepted = await peer.send(signed);
    expect(accepted.kind === 'response' && accepted.final.status).toBe(200);
    expect(await edge.registrations.find('agent-grace')).toMatchObject({
      user: 'grace',
    });

    const replayed = await peer.send(signed);
    expect(replayed.kind === 'response' && replayed.final.status).toBe(401);
  });
});
