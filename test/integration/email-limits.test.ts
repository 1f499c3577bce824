import type { ContextCard } from '../../src/context/card';
import { bridgelineOnOwnRedis, testAdminToken } from '../support/app';
import { aCustomer, anEmail } from '../support/factories';
import {
  aMail,
  deliver,
  RelayStandIn,
  smtpDialogue,
  type RawMail,
} from '../support/email';
import { allKeys } from '../support/redis';

const perMinute = 4;
const maxBytes = 4096;

let relay: RelayStandIn;
const env: Record<string, string> = {
  SMTP_PORT: '0',
  SMTP_HOST: '127.0.0.1',
  SMTP_MAX_BYTES: String(maxBytes),
  SMTP_MESSAGES_PER_MINUTE: String(perMinute),
  EMAIL_FROM: 'help@shop.example.com',
};
beforeAll(async () => {
  relay = await RelayStandIn.start();
  env.SMTP_URL = relay.url;
});
afterAll(() => relay.close());

// One clock minute for the whole file: the per-minute count never resets
// half-way through a test.
const frozen = new Date();
const running = bridgelineOnOwnRedis(env, { now: () => frozen });

function smtpPort(): number {
  return running.app.channels.smtpPort() ?? 0;
}

function send(mail: RawMail) {
  return deliver(smtpPort(), mail);
}

async function knownCard(email: string): Promise<ContextCard> {
  const { store } = running.app;
  const card = await store.cardByIdentity(
    store.normalizeIdentity('email', email),
  );
  if (!card) {
    throw new Error(`no customer for ${email}`);
  }
  return card;
}

describe('email limits and the relay', () => {
  it('sends an agent reply through the relay at SMTP_URL', async () => {
    const { store } = running.app;
    const { customer, email } = await aCustomer(store);
    const conversation = await store.openConversation(customer.id, {
      subject: 'Delivery slot',
      channel: 'email',
    });

    const response = await fetch(
      `${running.base}/api/customers/${customer.id}/conversations/` +
        `${conversation.id}/email`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${testAdminToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ text: 'Tuesday works for us.' }),
      },
    );

    expect(response.status).toBe(201);
    const relayed = await relay.next(email);
    expect(relayed.from).toBe('help@shop.example.com');
    expect(relayed.raw).toMatch(/^Subject: Re: Delivery slot\r$/m);
    expect(relayed.raw).toMatch(/^Reply-To: reply\+/m);
    expect(relayed.raw).toContain('Tuesday works for us.');
  });

  it('refuses a message over SMTP_MAX_BYTES with 552 and stores nothing', async () => {
    const from = anEmail();
    const before = await allKeys(running.redis.client);

    const delivery = await send(
      aMail({ from, text: 'x'.repeat(maxBytes * 2) }),
    );

    expect(delivery).toMatchObject({ status: 'refused', code: 552 });
    // The sender's count for the minute is all the attempt may leave.
    const counted = (keys: string[]) =>
      keys.filter((key) => !key.startsWith('smtp-rate:'));
    expect(counted(await allKeys(running.redis.client))).toEqual(
      counted(before),
    );
  });

  it('refuses with 552 a DATA larger than announced, keeping none of it', async () => {
    const from = anEmail();
    const before = await allKeys(running.redis.client);
    const body = `${'y'.repeat(76)}\r\n`.repeat((maxBytes * 3) / 78);

    const replies = await smtpDialogue(smtpPort(), [
      'EHLO client.example\r\n',
      `MAIL FROM:<${from}>\r\n`,
      'RCPT TO:<support@bridgeline.localhost>\r\n',
      'DATA\r\n',
      `From: <${from}>\r\nSubject: big\r\n\r\n${body}.\r\n`,
    ]);

    expect(replies.at(-1)).toMatch(/^552 /);
    const counted = (keys: string[]) =>
      keys.filter((key) => !key.startsWith('smtp-rate:'));
    expect(counted(await allKeys(running.redis.client))).toEqual(
      counted(before),
    );
  });

  it('refuses a sender over SMTP_MESSAGES_PER_MINUTE with 451', async () => {
    const from = anEmail();
    const deliveries = [];
    // The test before took one of the minute's messages already.
    for (let i = 0; i < perMinute + 1; i += 1) {
      deliveries.push(await send(aMail({ from, subject: `Message ${i}` })));
    }

    const refused = deliveries.filter((d) => d.status === 'refused');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toMatchObject({ code: 451 });
    expect(refused[0]?.response).toContain('SMTP_MESSAGES_PER_MINUTE');
    const accepted = deliveries.length - refused.length;
    const card = await knownCard(from);
    expect(card.timeline).toHaveLength(accepted);
  });
});
