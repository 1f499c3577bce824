import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * The RFC 4475 torture messages, read from test/fixtures/rfc4475 where they
 * are kept as the RFC prints them. Each file opens with `# RFC 4475
 * <section>: <title>` lines; the message follows, written with the RFC's
 * conventions (§2), which this module expands into the bytes on the wire.
 */

const fixtures = path.join(__dirname, '..', 'fixtures', 'rfc4475');

/**
 * What the RFC says of each group: §3.1.1 messages are well formed, §3.1.2
 * are not, §3.2 breaks the transaction layer, §3.3 the application layer,
 * §3.4 is RFC 2543 syntax a receiver should still take.
 */
export type TortureKind =
  'valid' | 'invalid' | 'transaction' | 'application' | 'backward';

export interface TortureMessage {
  /** The RFC's short name, e.g. wsinv. */
  name: string;
  section: string;
  title: string;
  kind: TortureKind;
  /** The message as sent, CRLF line ends, conventions expanded. */
  bytes: Buffer;
}

export function loadTortureMessages(): TortureMessage[] {
  return readdirSync(fixtures)
    .filter((file) => file.endsWith('.dat'))
    .sort()
    .map((file) => loadTortureMessage(file.slice(0, -'.dat'.length)));
}

export function loadTortureMessage(name: string): TortureMessage {
  const text = readFileSync(path.join(fixtures, `${name}.dat`), 'utf8');
  const lines = text.split('\n');
  const header = lines.findIndex((line) => !line.startsWith('#'));
  const heading = /^# RFC 4475 ([\d.]+): (.+)$/.exec(lines[0] ?? '');
  if (heading === null || header < 1) {
    throw new Error(`${name}.dat does not open with "# RFC 4475 <section>:"`);
  }
  const section = heading[1] ?? '';
  return {
    name,
    section,
    title: heading[2] ?? '',
    kind: kindOf(section),
    bytes: expand(lines.slice(header).join('\n')),
  };
}

function kindOf(section: string): TortureKind {
  if (section.startsWith('3.1.1.')) {
    return 'valid';
  }
  if (section.startsWith('3.1.2.')) {
    return 'invalid';
  }
  if (section.startsWith('3.2.')) {
    return 'transaction';
  }
  if (section.startsWith('3.3.')) {
    return 'application';
  }
  if (section.startsWith('3.4.')) {
    return 'backward';
  }
  throw new Error(`RFC 4475 has no torture message in section ${section}`);
}

/**
 * RFC 4475 §2: the lines between <allOneLine> and </allOneLine> are one
 * line (§2.1); <repeat count=N>text</repeat> is text N times (§2.3);
 * <hex>..</hex> is the octets its hex digits spell, line breaks inside
 * ignored (§2.2). Every other line ends in CRLF, as SIP requires (RFC 3261
 * §7). Repeats are expanded before hex, so a repeat may not hold hex.
 */
export function expand(printed: string): Buffer {
  const joined = printed.replace(
    /<allOneLine>\n([\s\S]*?)\n<\/allOneLine>/g,
    (_match, inner: string) => inner.split('\n').join(''),
  );
  const repeated = joined.replace(
    /<repeat count=(\d+)>([\s\S]*?)<\/repeat>/g,
    (_match, count: string, text: string) => text.repeat(Number(count)),
  );
  const parts: Buffer[] = [];
  const hex = /<hex>([\s\S]*?)<\/hex>/g;
  let last = 0;
  for (const match of repeated.matchAll(hex)) {
    parts.push(text(repeated.slice(last, match.index)));
    const digits = (match[1] ?? '').replace(/\s+/g, '');
    if (!/^(?:[0-9A-Fa-f]{2})*$/.test(digits)) {
      throw new Error(`odd or non-hex digits in <hex>${digits}</hex>`);
    }
    parts.push(Buffer.from(digits, 'hex'));
    last = match.index + match[0].length;
  }
  parts.push(text(repeated.slice(last)));
  return Buffer.concat(parts);
}

function text(printed: string): Buffer {
  return Buffer.from(printed.replace(/\n/g, '\r\n'), 'utf8');
}

/** The body's length as the message itself frames it: after the blank line. */
export function bodyLength(bytes: Buffer): number {
  const split = bytes.indexOf('\r\n\r\n');
  return split === -1 ? 0 : bytes.length - split - 4;
}
