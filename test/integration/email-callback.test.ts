import { bridgelineOnOwnRedis } from '../support/app';
import { callbackStatuses, callTo, until } from '../support/callbacks';
import { aMail, deliver } from '../support/email';
import { aCustomer } from '../support/factories';
import { JambonzApiStandIn } from '../support/jambonz-api';

/**
 * Email to callback: a customer with a verified phone writes "Call me",
 * and bridgeline places the call through the jambonz stand-in.
 */

let standIn: JambonzApiStandIn;
const env: Record<string, string> = {
  SMTP_PORT: '0',
  SMTP_HOST: '127.0.0.1',
  SMS_FROM_NUMBER: '+16285550100',
  CALLBACK_CONCURRENCY: '1',
};
beforeAll(async () => {
  standIn = await JambonzApiStandIn.start();
  Object.assign(env, standIn.env);
});
afterAll(() => standIn.close());

const running = bridgelineOnOwnRedis(env);

describe('email asking for a call', () => {
  it('books a call back to the phone of a customer whose subject is "Call me"', async () => {
    const { store } = running.app;
    const { customer, phone, email } = await aCustomer(store);

    const delivery = await deliver(
      running.app.channels.smtpPort() ?? 0,
      aMail({ from: email, subject: 'Call me', text: 'After 5 please.' }),
    );

    expect(delivery.status).toBe('accepted');
    await standIn.next(callTo(phone));
    const card = await store.cardById(customer.id);
    const conversationId = card?.conversations.open[0]?.id ?? '';
    await until(async () =>
      (await callbackStatuses(store, customer.id, conversationId)).includes(
        'placed',
      ),
    );
  });
});
