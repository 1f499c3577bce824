import type { Config } from '../config';
import type { Logger } from '../log';
import type { RedisClient } from '../redis/connect';
import { AccountStore, type AccountStoreOptions } from './accounts';
import { LoginLimit } from './login-limit';
import { SessionStore } from './sessions';

export interface AccountsSetup {
  config: Config;
  redis: RedisClient;
  logger: Logger;
  /** Told of every account change; the routing core refreshes its agent. */
  onChange?: AccountStoreOptions['onChange'];
  now?: () => Date;
}

/** What the HTTP server needs for logins, sessions and account admin. */
export interface AccountServices {
  accounts: AccountStore;
  sessions: SessionStore;
  loginLimit: LoginLimit;
  /** PUBLIC_BASE_URL, for the Origin check of cookie WebSockets. */
  publicBaseUrl: string | undefined;
  /** PUBLIC_BASE_URL is https: the session cookie is Secure. */
  secureCookie: boolean;
}

/** Accounts, sessions and login limits, built from the settings. */
export function setUpAccounts(setup: AccountsSetup): AccountServices {
  const now = setup.now ?? (() => new Date());
  const sessions = new SessionStore(setup.redis, {
    ttlSeconds: setup.config.accounts.sessionTtlSeconds,
    now: () => now().getTime(),
  });
  const accounts = new AccountStore(setup.redis, {
    sessions,
    sipRealm: setup.config.sip.realm,
    logger: setup.logger.child({ component: 'accounts' }),
    now,
    ...(setup.onChange === undefined ? {} : { onChange: setup.onChange }),
  });
  const publicBaseUrl = setup.config.voice.publicBaseUrl;
  return {
    accounts,
    sessions,
    loginLimit: new LoginLimit(
      setup.redis,
      setup.config.accounts.loginFailuresPer15Minutes,
    ),
    publicBaseUrl,
    secureCookie: publicBaseUrl?.startsWith('https:') ?? false,
  };
}
