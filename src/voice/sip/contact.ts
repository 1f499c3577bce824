/**
 * The Contact header of a REGISTER (RFC 3261 §10.2.1 and §20.10): '*', or
 * a comma-separated list of name-addr / addr-spec with parameters, of
 * which we need the URI and the expires parameter.
 */

export interface ContactBinding {
  uri: string;
  /** The contact's own expires parameter, when it has one. */
  expires: number | undefined;
}

export type ParsedContacts = '*' | ContactBinding[];

const MAX_HEADER = 4096;

/** The bindings, or undefined when the header is malformed. */
export function parseContacts(header: string): ParsedContacts | undefined {
  if (header.length > MAX_HEADER) {
    return undefined;
  }
  if (header.trim() === '*') {
    return '*';
  }
  const bindings: ContactBinding[] = [];
  for (const entry of splitOutsideQuotes(header)) {
    const binding = parseEntry(entry.trim());
    if (binding === undefined) {
      return undefined;
    }
    bindings.push(binding);
  }
  return bindings.length > 0 ? bindings : undefined;
}

function parseEntry(entry: string): ContactBinding | undefined {
  let uri: string;
  let params: string;
  const bracketed = /^(?:"(?:[^"\\]|\\.)*"|[^<"]*)?\s*<([^>]+)>(.*)$/.exec(
    entry,
  );
  if (bracketed?.[1] !== undefined) {
    uri = bracketed[1].trim();
    params = bracketed[2] ?? '';
  } else {
    // addr-spec: everything after the first ';' is a header parameter.
    const semi = entry.indexOf(';');
    uri = semi < 0 ? entry : entry.slice(0, semi);
    params = semi < 0 ? '' : entry.slice(semi);
  }
  if (!/^sips?:[^\s<>"]+$/i.test(uri)) {
    return undefined;
  }
  const expires = /;\s*expires\s*=\s*(\d{1,10})/i.exec(params)?.[1];
  return { uri, expires: expires === undefined ? undefined : Number(expires) };
}

function splitOutsideQuotes(header: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < header.length; i += 1) {
    const char = header[i];
    if (char === '\\' && quoted) {
      i += 1;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (!quoted && char === '<') {
      depth += 1;
    } else if (!quoted && char === '>') {
      depth = Math.max(0, depth - 1);
    } else if (!quoted && depth === 0 && char === ',') {
      parts.push(header.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(header.slice(start));
  return parts;
}

/** The user part of the To header's URI: the AOR being registered. */
export function aorUser(to: string | undefined): string | undefined {
  if (to === undefined) {
    return undefined;
  }
  const uri = /<([^>]*)>/.exec(to)?.[1] ?? to.split(';')[0] ?? '';
  const user = /^sips?:([^@;]+)@/i.exec(uri.trim())?.[1];
  if (user === undefined) {
    return undefined;
  }
  try {
    return decodeURIComponent(user);
  } catch {
    return undefined;
  }
}
