import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { BridgelineError } from '../errors';

/**
 * Account passwords, hashed with scrypt (RFC 7914), which is memory-hard:
 * each guess costs 128 * N * r bytes of memory (32 MiB here) as well as
 * time, so a stolen hash is expensive to attack on GPUs. The stored string
 * names its own parameters, `scrypt$<log2 N>$<r>$<p>$<salt>$<key>`, so the
 * cost can be raised later and old hashes still verify (and are rehashed
 * at the next login).
 */

export const minPasswordLength = 12;

const cost = { logN: 15, r: 8, p: 1 };
const saltBytes = 16;
const keyBytes = 32;

// Bounds on what a stored string may ask for, so a damaged or planted
// value cannot make one verification allocate gigabytes.
const limits = { logN: [10, 20], r: [1, 32], p: [1, 16] } as const;

interface Parsed {
  logN: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

/**
 * Each scrypt holds 32 MiB and a thread of libuv's pool for about 100 ms,
 * and sign-ins with fresh usernames from many addresses pass the per-IP
 * and per-username limits. So at most `hashingAtOnce` run, `hashingQueued`
 * more wait their turn, and past that a hash is refused at once with 503
 * (BL_ERR_SIGN_IN_BUSY): memory and threads stay bounded under a flood.
 */
export const hashingAtOnce = 2;
export const hashingQueued = 64;
let hashing = 0;
const queued: (() => void)[] = [];

async function inTurn<T>(work: () => Promise<T>): Promise<T> {
  if (hashing < hashingAtOnce) {
    hashing += 1;
  } else if (queued.length < hashingQueued) {
    // The slot of the hash that ends next is handed to this one.
    await new Promise<void>((resolve) => queued.push(resolve));
  } else {
    throw new BridgelineError('BL_ERR_SIGN_IN_BUSY');
  }
  try {
    return await work();
  } finally {
    const next = queued.shift();
    if (next) {
      next();
    } else {
      hashing -= 1;
    }
  }
}

function derive(
  password: string,
  salt: Buffer,
  params: { logN: number; r: number; p: number },
  length: number,
): Promise<Buffer> {
  return inTurn(() => scryptKey(password, salt, params, length));
}

function scryptKey(
  password: string,
  salt: Buffer,
  { logN, r, p }: { logN: number; r: number; p: number },
  length: number,
): Promise<Buffer> {
  const N = 2 ** logN;
  return new Promise((resolve, reject) => {
    // maxmem must exceed 128 * N * r * p, or node refuses the parameters.
    const maxmem = 128 * N * r * p + 16 * 1024 * 1024;
    scrypt(password, salt, length, { N, r, p, maxmem }, (err, key) => {
      if (err) {
        reject(err);
      } else {
        resolve(key);
      }
    });
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(saltBytes);
  const key = await derive(password, salt, cost, keyBytes);
  return [
    'scrypt',
    cost.logN,
    cost.r,
    cost.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

function within(value: number, [min, max]: readonly [number, number]) {
  return Number.isInteger(value) && value >= min && value <= max;
}

function parse(stored: string): Parsed | undefined {
  const [scheme, logN, r, p, salt, key, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || rest.length > 0 || !salt || !key) {
    return undefined;
  }
  const parsed = {
    logN: Number(logN),
    r: Number(r),
    p: Number(p),
    salt: Buffer.from(salt, 'base64url'),
    key: Buffer.from(key, 'base64url'),
  };
  const sane =
    within(parsed.logN, limits.logN) &&
    within(parsed.r, limits.r) &&
    within(parsed.p, limits.p) &&
    parsed.salt.length >= 8 &&
    parsed.key.length >= 16;
  return sane ? parsed : undefined;
}

// Verified in place of a missing account's hash, so an unknown username
// costs what a wrong password costs. Made once, at the current cost.
let dummy: Promise<string> | undefined;

function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(24).toString('base64url')).catch(
    (err: unknown) => {
      // Refused while busy: the next sign-in makes it.
      dummy = undefined;
      throw err;
    },
  );
  return dummy;
}

/**
 * Whether the password matches the stored hash. With no hash (no such
 * account), a dummy hash is checked instead and the answer is false: the
 * caller cannot tell the two cases apart by the answer or the time.
 */
export async function verifyPassword(
  password: string,
  stored: string | undefined,
): Promise<boolean> {
  const parsed = parse(stored ?? (await dummyHash()));
  if (parsed === undefined) {
    // A stored value that is no hash of ours matches nothing; spend the
    // same time as a real check all the same.
    await verifyPassword(password, undefined);
    return false;
  }
  const key = await derive(password, parsed.salt, parsed, parsed.key.length);
  return timingSafeEqual(key, parsed.key) && stored !== undefined;
}

/** Whether a hash was made at a lower cost than today's. */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  return (
    parsed === undefined ||
    parsed.logN !== cost.logN ||
    parsed.r !== cost.r ||
    parsed.p !== cost.p
  );
}

/** A stored value is a scrypt hash in our format (used by tests and checks). */
export function isPasswordHash(stored: string): boolean {
  return parse(stored) !== undefined;
}
