import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { parseInput } from '../context/validate';
import { BridgelineError } from '../errors';
import type { Logger } from '../log';
import type { RedisClient } from '../redis/connect';
import {
  removeSipCredentials,
  setSipCredentials,
  setSipCredentialsDisabled,
} from '../voice/sip/credentials';
import { sipKeys } from '../voice/sip/keys';
import {
  accountPatch,
  newAccountInput,
  passwordInput,
  storedAccount,
  usernamePattern,
} from './account-input';
import { hashPassword, needsRehash, verifyPassword } from './passwords';
import type { SessionStore } from './sessions';

/**
 * The account store: agents, supervisors and admins.
 *
 * - `account:{<id>}` hash: id, username, displayName, role, skills and
 *   queues (JSON lists), maxChats, sipUser, disabled, createdAt,
 *   updatedAt, passwordHash (scrypt; see passwords.ts).
 * - `accounts:usernames` hash: username -> id, claimed with HSETNX, so
 *   two admins creating one username at once get one account and a 409.
 * - `accounts:index` set: every account id.
 *
 * The password hash never leaves this module: callers get an `Account`.
 */

type Stored = z.output<typeof storedAccount>;

/** An account as the API shows it: everything but the password hash. */
export type Account = Omit<Stored, 'passwordHash'>;

export const accountKeys = {
  account: (id: string) => `account:{${id}}`,
  usernames: 'accounts:usernames',
  index: 'accounts:index',
};

/** `a` and 12 base64url characters: no braces, safe in a hash tag. */
const accountIdPattern = /^a[A-Za-z0-9_-]{12}$/;
/** Well-formed but, from 9 random bytes, never drawn (odds 2^-72). */
const absentId = 'a------------';

export interface AccountStoreOptions {
  sessions: SessionStore;
  /** SIP_REALM: the realm softphone HA1s are computed in. */
  sipRealm: string;
  logger: Logger;
  /** After each create, update, disable or delete (then `disabled`). */
  onChange?: (account: Account) => void | Promise<void>;
  now?: () => Date;
}

export class AccountStore {
  private readonly now: () => Date;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: AccountStoreOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async create(raw: unknown): Promise<Account> {
    const input = parseInput(newAccountInput, raw);
    const id = `a${randomBytes(9).toString('base64url')}`;
    const sipUser = input.sipUser ?? input.username;
    if (input.sipPassword !== undefined) {
      await this.refuseSipUserOfAnother(sipUser, id);
    }
    const at = this.now().toISOString();
    const key = accountKeys.account(id);
    await this.redis.hset(key, {
      id,
      username: input.username,
      displayName: input.displayName,
      role: input.role,
      skills: JSON.stringify(input.skills),
      queues: JSON.stringify(input.queues),
      maxChats: input.maxChats,
      sipUser,
      disabled: 'false',
      createdAt: at,
      updatedAt: at,
      passwordHash: await hashPassword(input.password),
    });
    await this.redis.sadd(accountKeys.index, id);
    // The claim comes last: until it succeeds nobody can log in as this
    // account, and list() leaves out an account whose claim is not its own.
    const claimed = await this.redis.hsetnx(
      accountKeys.usernames,
      input.username,
      id,
    );
    if (claimed === 0) {
      await this.redis.srem(accountKeys.index, id);
      await this.redis.del(key);
      throw new BridgelineError('BL_ERR_USERNAME_TAKEN', { field: 'username' });
    }
    if (input.sipPassword !== undefined) {
      await this.setSip(sipUser, id, input.sipPassword);
    }
    const account = await this.get(id);
    await this.changed(account);
    return account;
  }

  /** The account, or 404 BL_ERR_ACCOUNT_NOT_FOUND. */
  async get(id: string): Promise<Account> {
    return withoutHash(await this.stored(id));
  }

  /** The account, or undefined: for checks that must not throw. */
  async find(id: string): Promise<Account | undefined> {
    const stored = await this.read(id);
    return stored && withoutHash(stored);
  }

  async list(): Promise<Account[]> {
    const ids = await this.redis.smembers(accountKeys.index);
    const found = await Promise.all(ids.map((id) => this.read(id)));
    const accounts = found.filter((a): a is Stored => a !== undefined);
    if (accounts.length === 0) {
      return [];
    }
    const owners = await this.redis.hmget(
      accountKeys.usernames,
      ...accounts.map((account) => account.username),
    );
    return accounts
      .filter((account, i) => owners[i] === account.id)
      .map(withoutHash)
      .sort((a, b) => a.username.localeCompare(b.username));
  }

  async update(id: string, raw: unknown): Promise<Account> {
    const patch = parseInput(accountPatch, raw);
    const current = await this.stored(id);
    const sipUser = patch.sipUser ?? current.sipUser;
    if (sipUser !== current.sipUser && patch.sipPassword === undefined) {
      // HA1 covers the user name: new credentials need the password again.
      throw new BridgelineError('BL_ERR_INVALID_INPUT', {
        field: 'sipPassword',
        message: 'sipPassword: a new sipUser needs its sipPassword.',
      });
    }
    if (patch.sipPassword !== undefined) {
      await this.refuseSipUserOfAnother(sipUser, id);
    }
    const fields: Record<string, string | number> = {
      updatedAt: this.now().toISOString(),
      sipUser,
    };
    for (const name of ['displayName', 'role', 'maxChats'] as const) {
      const value = patch[name];
      if (value !== undefined) {
        fields[name] = value;
      }
    }
    for (const name of ['skills', 'queues'] as const) {
      const value = patch[name];
      if (value !== undefined) {
        fields[name] = JSON.stringify(value);
      }
    }
    if (patch.disabled !== undefined) {
      fields.disabled = String(patch.disabled);
    }
    await this.redis.hset(accountKeys.account(id), fields);
    if (patch.sipPassword !== undefined) {
      if (sipUser !== current.sipUser) {
        await this.removeSipIfOurs(current.sipUser, id);
      }
      await this.setSip(sipUser, id, patch.sipPassword);
    }
    if (patch.disabled !== undefined || patch.sipPassword !== undefined) {
      // New credentials of a disabled account are refused like the old.
      const disabled = patch.disabled ?? current.disabled;
      await setSipCredentialsDisabled(this.redis, sipUser, id, disabled);
    }
    if (patch.disabled === true) {
      await this.options.sessions.endAll(id);
    }
    const account = await this.get(id);
    await this.changed(account);
    return account;
  }

  /** Sets a new password and ends every session the account has. */
  async setPassword(id: string, raw: unknown): Promise<void> {
    const { password } = parseInput(passwordInput, raw);
    await this.stored(id);
    await this.redis.hset(accountKeys.account(id), {
      passwordHash: await hashPassword(password),
      updatedAt: this.now().toISOString(),
    });
    await this.options.sessions.endAll(id);
  }

  async delete(id: string): Promise<Account> {
    const account = withoutHash(await this.stored(id));
    // Sessions first: from here on nothing acts for the account.
    await this.options.sessions.endAll(id);
    await this.removeSipIfOurs(account.sipUser, id);
    if (
      (await this.redis.hget(accountKeys.usernames, account.username)) === id
    ) {
      await this.redis.hdel(accountKeys.usernames, account.username);
    }
    await this.redis.srem(accountKeys.index, id);
    await this.redis.del(accountKeys.account(id));
    await this.changed({ ...account, disabled: true });
    return account;
  }

  /**
   * The enabled account a username and password log in to, or undefined.
   * Unknown usernames, disabled accounts and wrong passwords all cost one
   * scrypt and give the same answer (no user enumeration).
   */
  async verifyLogin(
    username: string,
    password: string,
  ): Promise<Account | undefined> {
    const id = usernamePattern.test(username)
      ? await this.redis.hget(accountKeys.usernames, username)
      : null;
    // An unknown name still reads an account hash (none), so the answer
    // takes the same round trips as for a known one.
    const stored = await this.read(id ?? absentId);
    const matches = await verifyPassword(password, stored?.passwordHash);
    if (!stored || !matches || stored.disabled) {
      return undefined;
    }
    if (needsRehash(stored.passwordHash)) {
      await this.redis.hset(accountKeys.account(stored.id), {
        passwordHash: await hashPassword(password),
      });
    }
    return withoutHash(stored);
  }

  private async read(id: string): Promise<Stored | undefined> {
    if (!accountIdPattern.test(id)) {
      return undefined;
    }
    const hash = await this.redis.hgetall(accountKeys.account(id));
    const parsed = storedAccount.safeParse(hash);
    return parsed.success ? parsed.data : undefined;
  }

  private async stored(id: string): Promise<Stored> {
    const stored = await this.read(id);
    if (!stored) {
      throw new BridgelineError('BL_ERR_ACCOUNT_NOT_FOUND', { field: 'id' });
    }
    return stored;
  }

  private async refuseSipUserOfAnother(user: string, id: string) {
    const owner = await this.redis.hget(sipKeys.user(user), 'agentId');
    if (owner !== null && owner !== id) {
      throw new BridgelineError('BL_ERR_USERNAME_TAKEN', {
        field: 'sipUser',
        message: 'Another account has that SIP user; pick another sipUser.',
      });
    }
  }

  // The account id is the SIP edge's agent id (src/voice/sip/keys.ts).
  private setSip(user: string, agentId: string, password: string) {
    return setSipCredentials(this.redis, {
      user,
      agentId,
      realm: this.options.sipRealm,
      password,
    });
  }

  private async removeSipIfOurs(user: string, id: string) {
    if ((await this.redis.hget(sipKeys.user(user), 'agentId')) === id) {
      await removeSipCredentials(this.redis, user);
    }
  }

  private async changed(account: Account): Promise<void> {
    try {
      await this.options.onChange?.(account);
    } catch (err) {
      // The account is written; the listener catches up at its next read.
      this.options.logger.warn(
        { err, accountId: account.id },
        'account change not passed on',
      );
    }
  }
}

// Every way out of the store passes here: fields are named one by one,
// so a field added to the hash later is not shown until it is added here.
function withoutHash(stored: Stored): Account {
  return {
    id: stored.id,
    username: stored.username,
    displayName: stored.displayName,
    role: stored.role,
    skills: stored.skills,
    queues: stored.queues,
    maxChats: stored.maxChats,
    sipUser: stored.sipUser,
    disabled: stored.disabled,
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
  };
}
