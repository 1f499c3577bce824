/**
 * Who an INVITE says is calling. RFC 3325: a carrier asserts the caller in
 * P-Asserted-Identity, which outranks the From the caller's device wrote;
 * RFC 3323: a Privacy header asks that the identity be withheld. We only
 * extract the number here; whether it is a valid phone number is for the
 * context store's normaliser to say.
 */

export type CallerId =
  { kind: 'number'; number: string } | { kind: 'anonymous' };

export interface CallerHeaders {
  pAssertedIdentity?: string | undefined;
  from?: string | undefined;
  privacy?: string | undefined;
}

// What carriers and devices write in place of a number they will not show.
const withheldUsers = new Set([
  '',
  'anonymous',
  'restricted',
  'private',
  'unknown',
  'unavailable',
  'withheld',
  'blocked',
]);

// RFC 3323 §4.2: 'user', 'header' and 'id' each hide who is calling.
const withholdingPrivacy = /(^|[;,\s])(id|user|header)($|[;,\s])/i;

export function identifyCaller(headers: CallerHeaders): CallerId {
  if (
    headers.privacy !== undefined &&
    withholdingPrivacy.test(headers.privacy)
  ) {
    return { kind: 'anonymous' };
  }
  const asserted = headers.pAssertedIdentity?.trim();
  const header =
    asserted !== undefined && asserted !== '' ? asserted : headers.from;
  if (header === undefined) {
    return { kind: 'anonymous' };
  }
  const user = userOf(firstUri(header));
  if (user === undefined || withheldUsers.has(user.toLowerCase())) {
    return { kind: 'anonymous' };
  }
  return { kind: 'number', number: user };
}

/** The URI of a name-addr or addr-spec; the first when several are listed. */
function firstUri(header: string): string {
  const bracketed = /<([^>]*)>/.exec(header);
  if (bracketed?.[1] !== undefined) {
    return bracketed[1].trim();
  }
  // addr-spec form: header parameters follow the URI after ';' (RFC 3261
  // §20.10), and a list of them is comma-separated.
  return (header.split(',')[0] ?? '').split(';')[0]?.trim() ?? '';
}

function userOf(uri: string): string | undefined {
  const tel = /^tel:([^;?]+)/i.exec(uri);
  if (tel?.[1] !== undefined) {
    return stripVisualSeparators(tel[1]);
  }
  const sip = /^sips?:([^@]*)@/i.exec(uri);
  if (sip?.[1] === undefined) {
    return undefined;
  }
  // The user part may carry parameters (RFC 3261 §19.1.1: user=phone lives
  // on the URI, but ';isub=' and the like may sit inside the user) and
  // %-escapes.
  const user = sip[1].split(';')[0] ?? '';
  try {
    return stripVisualSeparators(decodeURIComponent(user));
  } catch {
    return undefined;
  }
}

// RFC 3966 §5.1.1: '-', '.', '(' and ')' are visual only.
function stripVisualSeparators(number: string): string {
  return number.replace(/[-.()\s]/g, '');
}
