import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

function problemsOf(env: NodeJS.ProcessEnv) {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      return err;
    }
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('starts with documented defaults and an embedded Redis', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.logLevel).toBe('info');
    expect(config.dataDir).toBe(path.resolve('./data'));
    expect(config.redis).toEqual({
      mode: 'embedded',
      serverBin: 'redis-server',
    });
    expect(config.phoneDefaultRegion).toBe('US');
    expect(config.retention.timelineMaxAgeMs).toBe(365 * 86_400_000);
    expect(config.adminToken).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', REDIS_URL: '' }).port).toBe(3000);
  });

  it('lists every bad variable at once, each by name', () => {
    const error = problemsOf({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      ADMIN_TOKEN: 'short',
      REDIS_URL: 'http://example.com',
      PHONE_DEFAULT_REGION: 'XX',
      TIMELINE_RETENTION_DAYS: '0',
    });
    const variables = error.problems.map((problem) => problem.variable);
    expect(variables.sort()).toEqual([
      'ADMIN_TOKEN',
      'LOG_LEVEL',
      'PHONE_DEFAULT_REGION',
      'PORT',
      'REDIS_URL',
      'TIMELINE_RETENTION_DAYS',
    ]);
    expect(error.message).toMatch(/PORT: must be a whole number/);
    expect(error.message).toMatch(/ADMIN_TOKEN: must be at least 16/);
  });

  it('accepts a standalone Redis URL', () => {
    expect(
      loadConfig({ REDIS_URL: 'rediss://:pw@redis:6380/2' }).redis,
    ).toEqual({ mode: 'standalone', url: 'rediss://:pw@redis:6380/2' });
  });

  it('accepts Sentinel and Cluster node lists', () => {
    expect(
      loadConfig({
        REDIS_SENTINELS: 'sentinel-a:26379, sentinel-b:26379',
        REDIS_SENTINEL_MASTER: 'bridgeline',
        REDIS_PASSWORD: 'secret',
      }).redis,
    ).toEqual({
      mode: 'sentinel',
      sentinels: [
        { host: 'sentinel-a', port: 26379 },
        { host: 'sentinel-b', port: 26379 },
      ],
      master: 'bridgeline',
      password: 'secret',
      tls: false,
    });
    expect(
      loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,[::1]:7001' }).redis,
    ).toEqual({
      mode: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '::1', port: 7001 },
      ],
      tls: false,
    });
  });

  it('refuses a malformed node list and two Redis targets at once', () => {
    expect(
      problemsOf({ REDIS_CLUSTER_NODES: 'redis-a' }).problems[0]?.variable,
    ).toBe('REDIS_CLUSTER_NODES');
    const both = problemsOf({
      REDIS_URL: 'redis://a:6379',
      REDIS_CLUSTER_NODES: 'b:7000',
    });
    expect(both.problems.map((p) => p.variable)).toEqual([
      'REDIS_URL',
      'REDIS_CLUSTER_NODES',
    ]);
  });

  describe('when voice settings are given', () => {
    it('defaults to unsigned webhooks, no transfers and a four-hour call state', () => {
      const { voice } = loadConfig({});
      expect(voice).toEqual({
        webhookSecret: undefined,
        transferAllowlist: [],
        publicBaseUrl: undefined,
        callStateTtlSeconds: 4 * 3600,
      });
      expect(Object.isFrozen(voice)).toBe(true);
    });

    it('reads the webhook secret, the transfer allow-list and the public URL', () => {
      const { voice } = loadConfig({
        JAMBONZ_WEBHOOK_SECRET: 'wh-secret',
        TRANSFER_ALLOWLIST: '+14155550100, sip:desk@pbx.example.com',
        PUBLIC_BASE_URL: 'https://bl.example.com/',
        CALL_STATE_TTL_SECONDS: '600',
      });
      expect(voice).toEqual({
        webhookSecret: 'wh-secret',
        transferAllowlist: ['+14155550100', 'sip:desk@pbx.example.com'],
        publicBaseUrl: 'https://bl.example.com',
        callStateTtlSeconds: 600,
      });
    });

    it('names every bad voice setting and the entry that is wrong', () => {
      const error = problemsOf({
        TRANSFER_ALLOWLIST: '+14155550100,0800 FLOWERS',
        PUBLIC_BASE_URL: 'bl.example.com',
        CALL_STATE_TTL_SECONDS: '5',
      });
      expect(error.problems.map((p) => p.variable).sort()).toEqual([
        'CALL_STATE_TTL_SECONDS',
        'PUBLIC_BASE_URL',
        'TRANSFER_ALLOWLIST',
      ]);
      expect(error.message).toMatch(/TRANSFER_ALLOWLIST: .*0800 FLOWERS/);
      expect(error.message).toMatch(/PUBLIC_BASE_URL: must be an http\(s\)/);
    });
  });
  describe('when the app sits behind reverse proxies', () => {
    it('trusts no proxy by default', () => {
      expect(loadConfig({}).trustedProxies).toEqual([]);
    });

    it('reads addresses and CIDR blocks, and names one that is neither', () => {
      expect(
        loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.7,fd00::/8' })
          .trustedProxies,
      ).toEqual(['10.0.0.0/8', '192.0.2.7', 'fd00::/8']);
      const error = problemsOf({
        TRUSTED_PROXIES: '10.0.0.0/8,10.0.0.0/33,lb',
      });
      expect(error.problems.map((p) => p.variable)).toEqual([
        'TRUSTED_PROXIES',
      ]);
      expect(error.message).toMatch(
        /TRUSTED_PROXIES: .*not 10\.0\.0\.0\/33, lb/,
      );
    });
  });
  describe('when SIP edge settings are given', () => {
    it('keeps the edge off by default, with documented limits', () => {
      const { sip } = loadConfig({});
      expect(sip.drachtio).toBeUndefined();
      expect(sip).toMatchObject({
        routingMode: 'proxy',
        lookupBudgetMs: 50,
        rejectAction: 403,
        rateLimit: {
          requests: 30,
          windowMs: 2000,
          blockMs: 60000,
          action: 503,
        },
        maxCallsInSetup: 500,
        realm: 'bridgeline',
        nonceTtlSeconds: 60,
        authFailures: { max: 5, action: 403 },
      });
      expect(Object.isFrozen(sip)).toBe(true);
    });

    it('reads the drachtio target, TLS files and routing choices', () => {
      const { sip } = loadConfig({
        DRACHTIO_HOST: 'drachtio',
        DRACHTIO_SECRET: 'cymru',
        DRACHTIO_TLS: 'true',
        DRACHTIO_TLS_CA: '/etc/bl/ca.pem',
        SIP_IVR_URI: 'sip:ivr@jambonz.example.com;transport=tcp',
        SIP_ROUTING_MODE: 'redirect',
        SIP_REJECT_ACTION: 'drop',
        SIP_BLOCKED_NUMBERS: '+14155550199, +442071838750',
        SIP_SCANNER_AGENTS: 'EvilDialer',
        SIP_RATE_LIMIT_ACTION: 'drop',
      });
      expect(sip.drachtio).toEqual({
        host: 'drachtio',
        port: 9022,
        secret: 'cymru',
        tls: { ca: '/etc/bl/ca.pem' },
        reconnectMaxMs: 30000,
      });
      expect(sip).toMatchObject({
        ivrUri: 'sip:ivr@jambonz.example.com;transport=tcp',
        routingMode: 'redirect',
        rejectAction: 'drop',
        blockedNumbers: ['+14155550199', '+442071838750'],
        scannerAgents: ['EvilDialer'],
        rateLimit: { action: 'drop' },
      });
    });

    it('names what DRACHTIO_HOST needs besides itself', () => {
      const error = problemsOf({ DRACHTIO_HOST: 'drachtio' });
      expect(error.problems.map((p) => p.variable).sort()).toEqual([
        'DRACHTIO_SECRET',
        'SIP_IVR_URI',
      ]);
    });

    it('names every bad SIP setting and the entry that is wrong', () => {
      const error = problemsOf({
        SIP_BLOCKED_NUMBERS: '+14155550199,0800 FLOWERS',
        SIP_IVR_URI: 'http://ivr.example.com',
        SIP_REJECT_ACTION: '404',
        SIP_LOOKUP_BUDGET_MS: '500',
      });
      expect(error.problems.map((p) => p.variable).sort()).toEqual([
        'SIP_BLOCKED_NUMBERS',
        'SIP_IVR_URI',
        'SIP_LOOKUP_BUDGET_MS',
        'SIP_REJECT_ACTION',
      ]);
      expect(error.message).toMatch(/SIP_BLOCKED_NUMBERS: .*0800 FLOWERS/);
    });

    it('refuses a TLS certificate without its key', () => {
      expect(
        problemsOf({ DRACHTIO_TLS_CERT: '/etc/bl/cert.pem' }).problems,
      ).toEqual([
        {
          variable: 'DRACHTIO_TLS_CERT',
          message: 'set DRACHTIO_TLS_CERT and DRACHTIO_TLS_KEY together',
        },
      ]);
    });
  });

  describe('accounts', () => {
    it('keeps a session 8 hours and allows 5 failed logins by default', () => {
      expect(loadConfig({}).accounts).toEqual({
        sessionTtlSeconds: 8 * 3600,
        loginFailuresPer15Minutes: 5,
      });
    });

    it('takes SESSION_HOURS in decimals', () => {
      const config = loadConfig({
        SESSION_HOURS: '0.5',
        LOGIN_FAILURES_PER_15_MINUTES: '10',
      });
      expect(config.accounts.sessionTtlSeconds).toBe(1800);
      expect(config.accounts.loginFailuresPer15Minutes).toBe(10);
    });

    it('names both bad account settings at once', () => {
      const error = problemsOf({
        SESSION_HOURS: 'forever',
        LOGIN_FAILURES_PER_15_MINUTES: '0',
      });
      expect(error.problems.map((p) => p.variable).sort()).toEqual([
        'LOGIN_FAILURES_PER_15_MINUTES',
        'SESSION_HOURS',
      ]);
      expect(problemsOf({ SESSION_HOURS: '721' }).message).toMatch(
        /SESSION_HOURS: must be at most 720/,
      );
    });
  });
});
