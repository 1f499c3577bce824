import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * jambonz signs every webhook it sends with the account's webhook secret
 * (jambonz docs, "Securing HTTP Endpoints"): the header
 * `Jambonz-Signature: t=<unix seconds>,v1=<hex>` carries HMAC-SHA256 of
 * `<t>.<body>`. More than one v1 may be present while a secret is rotated.
 *
 * The HMAC runs over the body exactly as it came off the wire: parsing and
 * re-serialising JSON changes spacing and key order, and a forged body could
 * be made to serialise like a signed one.
 */

export const signatureHeader = 'jambonz-signature';

/** jambonz's own verifier allows five minutes; so do we, both ways. */
export const signatureToleranceSeconds = 300;

export type SignatureProblem =
  'missing' | 'malformed' | 'stale' | 'future' | 'mismatch';

export type SignatureCheck =
  { ok: true } | { ok: false; problem: SignatureProblem };

interface ParsedHeader {
  timestamp: number;
  signatures: Buffer[];
}

const hexDigest = /^[0-9a-f]{64}$/i;

function parseHeader(header: string): ParsedHeader | undefined {
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) {
      timestamp = Number(value);
    } else if (key === 'v1' && hexDigest.test(value)) {
      signatures.push(Buffer.from(value, 'hex'));
    }
  }
  return timestamp === undefined || signatures.length === 0
    ? undefined
    : { timestamp, signatures };
}

function digest(secret: string, timestamp: number, body: Buffer): Buffer {
  return createHmac('sha256', secret)
    .update(`${timestamp}.`)
    .update(body)
    .digest();
}

/** The header jambonz would send for this body; tests and tools sign with it. */
export function signWebhook(
  secret: string,
  body: Buffer | string,
  timestamp: number = Math.floor(Date.now() / 1000),
): string {
  const raw = typeof body === 'string' ? Buffer.from(body) : body;
  return `t=${timestamp},v1=${digest(secret, timestamp, raw).toString('hex')}`;
}

export function verifyWebhookSignature(
  header: string | undefined,
  rawBody: Buffer,
  secret: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): SignatureCheck {
  if (header === undefined || header === '') {
    return { ok: false, problem: 'missing' };
  }
  const parsed = parseHeader(header);
  if (!parsed) {
    return { ok: false, problem: 'malformed' };
  }
  // A replayed request is refused even when its signature is genuine.
  const age = nowSeconds - parsed.timestamp;
  if (age > signatureToleranceSeconds) {
    return { ok: false, problem: 'stale' };
  }
  if (age < -signatureToleranceSeconds) {
    return { ok: false, problem: 'future' };
  }
  const expected = digest(secret, parsed.timestamp, rawBody);
  // Each candidate is compared in constant time: how much of a forged
  // signature matched never shows in the response time.
  const matched = parsed.signatures.some((candidate) =>
    timingSafeEqual(candidate, expected),
  );
  return matched ? { ok: true } : { ok: false, problem: 'mismatch' };
}
