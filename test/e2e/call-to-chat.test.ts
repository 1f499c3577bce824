import fs from 'node:fs/promises';
import path from 'node:path';
import { bridgelineOnOwnRedis, testAdminToken } from '../support/app';
import {
  aMessageId,
  aVisitor,
  FrameSocket,
  isType,
} from '../support/chat-client';
import { aPhone } from '../support/factories';
import { aCallBody, postWebhook, spoken, validVerbs } from '../support/jambonz';
import { JambonzApiStandIn, playCall } from '../support/jambonz-api';
import { tempDir } from '../support/redis';

/**
 * Call to digital through a running bridgeline: a known caller who finds
 * everyone busy chooses "text me a link" in the shipped main flow, gets an
 * SMS (seen by the jambonz stand-in) and opens its link; the chat that
 * opens continues the call's conversation, so whoever takes it sees the
 * IVR path and what the caller writes next.
 */

const secret = 'jambonz-webhook-secret-for-handoff-tests';
const ourNumber = '+16285550142';
// Wednesday 2 December 2026, noon in New York: the line is open.
const wednesday = new Date('2026-12-02T12:00:00-05:00');

let standIn: JambonzApiStandIn;
const env: Record<string, string> = {
  JAMBONZ_WEBHOOK_SECRET: secret,
  SMS_FROM_NUMBER: ourNumber,
};
beforeAll(async () => {
  standIn = await JambonzApiStandIn.start();
  Object.assign(env, standIn.env, { DATA_DIR: await tempDir('handoff') });
});
afterAll(() => standIn.close());

const running = bridgelineOnOwnRedis(env, { now: () => wednesday });

async function api(method: string, url: string, body?: unknown) {
  const response = await fetch(`${running.base}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${testAdminToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

/** A known caller who reached the busy offers and pressed 1: text me. */
async function askForALink(from: string): Promise<string> {
  const body = aCallBody({ from, to: '+16285550000' });
  const callSid = String(body.call_sid);
  await postWebhook(running.base, '/jambonz/call', body, { secret });
  await answer(callSid, 'main-menu', '3');
  return answer(callSid, 'busy-offers', '1');
}

async function answer(callSid: string, node: string, digits: string) {
  const reply = await postWebhook(
    running.base,
    `/jambonz/action/${node}`,
    { call_sid: callSid, digits, reason: 'dtmfDetected' },
    { secret },
  );
  return spoken(validVerbs(reply.body)).join(' ');
}

interface TimelineEvent {
  type: string;
  node?: string;
  text?: string;
  conversationId?: string;
}

describe('a caller who asks for a text with a chat link', () => {
  const phone = aPhone();
  const conversation = { visitorToken: '' };

  it('carries on in a chat that continues the same conversation', async () => {
    await api('POST', '/api/customers', {
      name: 'Grace Hopper',
      identities: [{ kind: 'phone', value: phone, verification: 'carrier' }],
    });
    const body = aCallBody({ from: phone, to: '+16285550000' });
    const callSid = String(body.call_sid);
    const first = await postWebhook(running.base, '/jambonz/call', body, {
      secret,
    });
    expect(spoken(validVerbs(first.body))[0]).toBe(
      'Hi Grace, thanks for calling Bridgeline.',
    );
    expect(await answer(callSid, 'main-menu', '3')).toMatch(/busy/);

    const said = await answer(callSid, 'busy-offers', '1');

    expect(said).toContain("We've sent you a link to carry on in chat");
    const sms = await standIn.next(
      (request) => request.resource === 'Messages' && request.body.to === phone,
    );
    expect(sms.body.from).toBe(ourNumber);
    const text = String(sms.body.text);
    const link = new URL(/https?:\/\/\S+/.exec(text)?.[0] ?? 'x:');
    expect(link.pathname).toBe('/chat');
    const token = link.searchParams.get('link') ?? '';

    const { socket, welcome } = await aVisitor(running.base, { link: token });
    const card = await api(
      'GET',
      `/api/context?phone=${encodeURIComponent(phone)}`,
    );
    const timeline = card.timeline as TimelineEvent[];
    const call = timeline.find((event) => event.node === 'text-link');
    expect(welcome.conversationId).toBe(call?.conversationId);

    const id = aMessageId();
    socket.send({ type: 'message', id, text: 'Hi, about my order again' });
    await socket.next(isType('ack', (frame) => frame.id === id));
    conversation.visitorToken = String(welcome.token);
    socket.close();

    const after = await api(
      'GET',
      `/api/context?phone=${encodeURIComponent(phone)}`,
    );
    const journey = (after.timeline as TimelineEvent[]).filter(
      (event) => event.conversationId === welcome.conversationId,
    );
    expect(journey.map((event) => event.node ?? event.type)).toEqual(
      expect.arrayContaining([
        'main-menu',
        'sales',
        'busy-offers',
        'text-link',
        'sms.message',
        'chat.message',
      ]),
    );
    expect(journey.find((event) => event.type === 'chat.message')?.text).toBe(
      'Hi, about my order again',
    );
  });

  it('refuses the same link when it is opened a second time', async () => {
    const sms = standIn
      .created('Messages')
      .find((request) => request.body.to === phone);
    const text = String(sms?.body.text);
    const token =
      new URL(/https?:\/\/\S+/.exec(text)?.[0] ?? 'x:').searchParams.get(
        'link',
      ) ?? '';
    const socket = await FrameSocket.open(
      `${running.base.replace(/^http/, 'ws')}/chat/ws`,
    );

    socket.send({ type: 'hello', link: token });

    const refusal = await socket.next(isType('error'));
    expect(refusal.code).toBe('BL_ERR_LINK_USED');
    socket.close();
  });

  it('gets one call back when they ask for it twice in that chat', async () => {
    const { socket, welcome } = await aVisitor(running.base, {
      token: conversation.visitorToken,
    });

    socket.send({ type: 'callback', id: 'callback-press-1' });
    const first = await socket.next(isType('callback'));
    socket.send({ type: 'callback', id: 'callback-press-2' });
    const second = await socket.next(
      isType('callback', (frame) => frame.id === 'callback-press-2'),
    );
    socket.close();

    expect(first).toMatchObject({ status: 'scheduled', position: 1 });
    expect(second.status).toBe('already-scheduled');
    const call = await standIn.next(
      (request) =>
        request.resource === 'Calls' &&
        (request.body.to as { number?: string }).number === phone,
    );
    const reply = await playCall(running.base, call, 'answered', secret);
    // The call opened the conversation: it has no subject to read out.
    expect(spoken(validVerbs(reply?.body))[0]).toBe(
      'Hello Grace, this is Bridgeline returning your chat about your request.',
    );
    expect(
      standIn
        .created('Calls')
        .filter(
          (request) =>
            (request.body.to as { number?: string }).number === phone,
        ),
    ).toHaveLength(1);
    const card = await api(
      'GET',
      `/api/context?phone=${encodeURIComponent(phone)}`,
    );
    const callbacks = (card.timeline as TimelineEvent[]).filter(
      (event) =>
        event.type === 'callback' &&
        event.conversationId === welcome.conversationId,
    );
    expect(callbacks.length).toBeGreaterThan(0);
  });
});

describe('a caller who opted out of texts and asks for a link', () => {
  it('gets it by email at their verified address instead', async () => {
    const phone = aPhone();
    await api('POST', '/api/customers', {
      name: 'Katherine Johnson',
      consent: { sms: 'denied' },
      identities: [
        { kind: 'phone', value: phone, verification: 'carrier' },
        { kind: 'email', value: 'kj@example.com', verification: 'otp' },
      ],
    });

    const said = await askForALink(phone);

    expect(said).toContain("We've sent you a link to carry on in chat");
    expect(
      standIn.created('Messages').filter((sms) => sms.body.to === phone),
    ).toEqual([]);
    const outbox = path.join(env.DATA_DIR ?? '', 'outbox');
    const [file] = await fs.readdir(outbox);
    const mail = await fs.readFile(path.join(outbox, file ?? ''), 'utf8');
    expect(mail).toMatch(/^To: kj@example\.com/m);
    expect(mail).toContain('/chat?link=');
  });

  it('hears that no link can be sent when it has no other way to reach them', async () => {
    const phone = aPhone();
    await api('POST', '/api/customers', {
      name: 'Dorothy Vaughan',
      consent: { sms: 'denied' },
      identities: [{ kind: 'phone', value: phone, verification: 'carrier' }],
    });

    const said = await askForALink(phone);

    expect(said).not.toContain("We've sent you a link");
    expect(
      standIn.created('Messages').filter((sms) => sms.body.to === phone),
    ).toEqual([]);
  });
});
