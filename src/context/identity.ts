import {
  parsePhoneNumberWithError,
  type CountryCode,
} from 'libphonenumber-js/max';
import { BridgelineError } from '../errors';
import type { IdentityKind } from './keys';

/**
 * How far we trust that the person using an identity owns it, weakest first.
 * A self-claimed identity (typed into a chat form) never unlocks history for
 * the person who typed it; agents see it marked unverified.
 */
export const verificationLevels = ['self_claimed', 'carrier', 'otp'] as const;
export type Verification = (typeof verificationLevels)[number];

export function isStronger(a: Verification, b: Verification): boolean {
  return verificationLevels.indexOf(a) > verificationLevels.indexOf(b);
}

export interface IdentityRef {
  kind: IdentityKind;
  /** Normalised: E.164 phone, lower-cased email, chat visitor id as is. */
  value: string;
}

export interface IdentityLink extends IdentityRef {
  verification: Verification;
  /** Where the link came from: `api`, `call`, `sms`, `chat-form`... */
  source: string;
  linkedAt: string;
}

export function normalizePhone(
  raw: string,
  region: CountryCode,
  field = 'phone',
): string {
  // The error is built only when needed: this runs on every call's path.
  const invalid = () => new BridgelineError('BL_ERR_INVALID_PHONE', { field });
  if (raw.length > 40) {
    throw invalid();
  }
  let phone;
  try {
    phone = parsePhoneNumberWithError(raw, { defaultCountry: region });
  } catch {
    throw invalid();
  }
  if (!phone.isValid()) {
    throw invalid();
  }
  return phone.number;
}

/**
 * normalizePhone, remembering the last few thousand numbers: a call's number
 * is normalised again and again (at the SIP edge, by each webhook, for the
 * callback line), and the full metadata's check costs about 10 us. The
 * oldest goes first; refusals are not kept, so each is checked again.
 */
export class PhoneNormalizer {
  private readonly recent = new Map<string, string>();

  constructor(
    private readonly region: CountryCode,
    private readonly kept = 4096,
  ) {}

  normalize(raw: string, field?: string): string {
    const known = this.recent.get(raw);
    if (known !== undefined) {
      return known;
    }
    const e164 = normalizePhone(raw, this.region, field);
    if (this.recent.size >= this.kept) {
      const oldest = this.recent.keys().next();
      if (oldest.done !== true) {
        this.recent.delete(oldest.value);
      }
    }
    this.recent.set(raw, e164);
    return e164;
  }
}

// Deliberately plain: one @, a dot in the domain, no spaces. Mail servers
// decide the rest; we only need a stable key for a person.
const emailShape = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export function normalizeEmail(raw: string, field = 'email'): string {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !emailShape.test(email)) {
    throw new BridgelineError('BL_ERR_INVALID_EMAIL', { field });
  }
  return email;
}

const chatIdShape = /^[A-Za-z0-9_-]{8,64}$/;

export function normalizeChatId(raw: string, field = 'chat'): string {
  const id = raw.trim();
  if (!chatIdShape.test(id)) {
    throw new BridgelineError('BL_ERR_INVALID_INPUT', {
      field,
      message: 'A chat visitor id is 8 to 64 letters, digits, - or _.',
    });
  }
  return id;
}

export function normalizeIdentity(
  kind: IdentityKind,
  raw: string,
  region: CountryCode,
  field: string = kind,
): IdentityRef {
  switch (kind) {
    case 'phone':
      return { kind, value: normalizePhone(raw, region, field) };
    case 'email':
      return { kind, value: normalizeEmail(raw, field) };
    case 'chat':
      return { kind, value: normalizeChatId(raw, field) };
  }
}

/** The field name under which a link is kept in the customer's hash. */
export function identityField(ref: IdentityRef): string {
  return `${ref.kind}:${ref.value}`;
}

export function parseIdentityField(
  field: string,
  json: string,
): IdentityLink | undefined {
  const colon = field.indexOf(':');
  const kind = field.slice(0, colon);
  if (kind !== 'phone' && kind !== 'email' && kind !== 'chat') {
    return undefined;
  }
  const record = JSON.parse(json) as Omit<IdentityLink, 'kind' | 'value'>;
  return { kind, value: field.slice(colon + 1), ...record };
}
