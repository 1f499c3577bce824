import type { ContextCard } from '../../src/context/card';
import { bridgelineOnOwnRedis, testAdminToken } from '../support/app';
import { aMail, deliver } from '../support/email';
import { aPhone } from '../support/factories';
import { aCallBody, postWebhook, spoken, validVerbs } from '../support/jambonz';
import { JambonzApiStandIn } from '../support/jambonz-api';
import { anInboundSms } from '../support/sms';

/**
 * One customer, three channels, one story: a text, then an email, then a
 * phone call, each through the transport a customer really uses (the
 * jambonz messaging webhook, SMTP, the call webhook). Every message lands
 * on one timeline, in one conversation, and the call already knows it.
 */

const secret = 'jambonz-webhook-secret-for-journey-tests';
// Wednesday 2 December 2026, 10 a.m. in New York: the line is open.
const wednesday = new Date('2026-12-02T10:00:00-05:00');

let standIn: JambonzApiStandIn;
const env: Record<string, string> = {
  JAMBONZ_WEBHOOK_SECRET: secret,
  SMS_FROM_NUMBER: '+16285550199',
};
beforeAll(async () => {
  standIn = await JambonzApiStandIn.start();
  Object.assign(env, standIn.env);
});
afterAll(() => standIn.close());

const running = bridgelineOnOwnRedis(env, { now: () => wednesday });

async function cardOf(phone: string): Promise<ContextCard> {
  const response = await fetch(
    `${running.base}/api/context?phone=${encodeURIComponent(phone)}`,
    { headers: { authorization: `Bearer ${testAdminToken}` } },
  );
  expect(response.status).toBe(200);
  return (await response.json()) as ContextCard;
}

describe('a customer who texts, then emails, then calls', () => {
  it('has every message on one timeline, and the call asks about it', async () => {
    const phone = aPhone();
    const address = 'margaret.hamilton@example.com';
    const created = await fetch(`${running.base}/api/customers`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${testAdminToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        name: 'Margaret Hamilton',
        identities: [
          { kind: 'phone', value: phone, verification: 'carrier' },
          { kind: 'email', value: address, verification: 'otp' },
        ],
      }),
    });
    expect(created.status).toBe(201);

    const texted = await postWebhook(
      running.base,
      '/jambonz/sms',
      anInboundSms(phone, 'My parcel never arrived'),
      { secret },
    );
    expect(texted.status).toBe(200);
    const mailed = await deliver(
      running.app.channels.smtpPort() ?? 0,
      aMail({
        from: address,
        subject: 'Parcel 7731',
        text: 'Here is the tracking number you asked for: 7731.',
      }),
    );
    expect(mailed.status).toBe('accepted');
    const call = await postWebhook(
      running.base,
      '/jambonz/call',
      aCallBody({ from: phone, to: '+16285550000' }),
      { secret },
    );

    expect(spoken(validVerbs(call.body))).toEqual([
      'Hi Margaret, welcome back to Bridgeline.',
      expect.stringContaining('Are you calling about My parcel never arrived?'),
    ]);
    const card = await cardOf(phone);
    const types = card.timeline.map((event) => event.type).reverse();
    expect(types.slice(0, 3)).toEqual([
      'sms.message',
      'email.message',
      'call.started',
    ]);
    const [texting, mailing] = card.timeline
      .filter((e) => e.type === 'sms.message' || e.type === 'email.message')
      .map((e) => e.conversationId);
    expect(mailing).toBe(texting);
    const conversation = card.conversations.open.find((c) => c.id === texting);
    expect(conversation?.channels).toEqual(
      expect.arrayContaining(['sms', 'email']),
    );
  });
});
