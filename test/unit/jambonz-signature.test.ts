import { createHmac } from 'node:crypto';
import jambonz from '@jambonz/node-client';
import { signWebhook, verifyWebhookSignature } from '../../src/voice/signature';

const secret = 'wh_secret_0123456789abcdef';
const now = 1_760_000_000;
const body = Buffer.from(
  '{"call_sid":"9fb35c28-9688-4531-943c-e280b04f3adf","from":"+14155550100","caller_name":"Zoë"}',
);

/** The signature as jambonz computes it, written out independently. */
function jambonzSignature(key: string, t: number, raw: Buffer): string {
  return createHmac('sha256', key)
    .update(`${t}.${raw.toString('utf8')}`)
    .digest('hex');
}

describe('the Jambonz-Signature check', () => {
  it('accepts a body signed the way jambonz signs it', () => {
    const header = `t=${now},v1=${jambonzSignature(secret, now, body)}`;
    expect(verifyWebhookSignature(header, body, secret, now)).toEqual({
      ok: true,
    });
  });

  it('signs headers that jambonz’s own verifier accepts', () => {
    const header = signWebhook(secret, body);
    const verify = jambonz.WebhookResponse.verifyJambonzSignature(secret);
    const next = jest.fn();
    verify(
      { get: () => header, body: body.toString('utf8'), url: '/jambonz/call' },
      {},
      next,
    );
    expect(next).toHaveBeenCalledTimes(1);
  });

  it('accepts any of several v1 signatures, as while a secret is rotated', () => {
    const old = jambonzSignature('the-old-secret', now, body);
    const current = jambonzSignature(secret, now, body);
    const header = `t=${now},v1=${old},v1=${current}`;
    expect(verifyWebhookSignature(header, body, secret, now).ok).toBe(true);
  });

  it('refuses a body that differs from the signed one by a single space', () => {
    const header = signWebhook(secret, body, now);
    const reserialised = Buffer.from(
      JSON.stringify(JSON.parse(body.toString()), null, 1),
    );
    expect(verifyWebhookSignature(header, reserialised, secret, now)).toEqual({
      ok: false,
      problem: 'mismatch',
    });
  });

  it('refuses a signature made with another secret', () => {
    const header = signWebhook('not-the-secret', body, now);
    expect(verifyWebhookSignature(header, body, secret, now)).toEqual({
      ok: false,
      problem: 'mismatch',
    });
  });

  it('accepts a signature up to five minutes old and refuses an older one', () => {
    const fresh = signWebhook(secret, body, now - 300);
    const stale = signWebhook(secret, body, now - 301);
    expect(verifyWebhookSignature(fresh, body, secret, now).ok).toBe(true);
    expect(verifyWebhookSignature(stale, body, secret, now)).toEqual({
      ok: false,
      problem: 'stale',
    });
  });

  it('refuses a timestamp more than five minutes in the future', () => {
    const header = signWebhook(secret, body, now + 301);
    expect(verifyWebhookSignature(header, body, secret, now)).toEqual({
      ok: false,
      problem: 'future',
    });
  });

  it.each([
    ['no header', undefined, 'missing'],
    ['an empty header', '', 'missing'],
    ['no timestamp', `v1=${'a'.repeat(64)}`, 'malformed'],
    ['no signature', `t=${now}`, 'malformed'],
    [
      'a signature that is not hex',
      `t=${now},v1=${'z'.repeat(64)}`,
      'malformed',
    ],
    ['a truncated signature', `t=${now},v1=abc123`, 'malformed'],
    [
      'a timestamp that is not a number',
      `t=soon,v1=${'a'.repeat(64)}`,
      'malformed',
    ],
  ])('refuses %s', (_case, header, problem) => {
    expect(verifyWebhookSignature(header, body, secret, now)).toEqual({
      ok: false,
      problem,
    });
  });
});
