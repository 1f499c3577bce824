import { existsSync } from 'node:fs';
import path from 'node:path';
import { configVariables, loadConfig } from '../../src/config';
import {
  knownScannerAgents,
  scannerMatcher,
} from '../../src/voice/sip/scanners';
import {
  interpolate,
  loadCompose,
  parseDrachtioConfig,
  parseEnvFile,
  parsePort,
  readRepoFile,
  repoRoot,
  resolveEnvironment,
  type ComposeService,
} from '../support/compose';

/*
 * No Docker engine runs here, so these tests read docker-compose.yml,
 * docker/Dockerfile and sip-config/ as files and hold them to what the code
 * expects: a deployment that disagrees with src/config.ts would start, then
 * fail on its first call.
 */

// The values an operator must supply (`${VAR:?...}` in the compose file).
const required = {
  ADMIN_TOKEN: 'a-test-admin-token-of-32-chars!!',
  DRACHTIO_SECRET: 'a-test-drachtio-secret',
  SIP_IVR_URI: 'sip:ivr@jambonz.example.com',
};

const compose = loadCompose();

function serviceNamed(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) {
    throw new Error(`docker-compose.yml has no ${name} service`);
  }
  return found;
}

const bridgeline = serviceNamed('bridgeline');
const drachtio = serviceNamed('drachtio');
const redis = serviceNamed('redis');
const bridgelineEnv = resolveEnvironment(bridgeline, required);
const drachtioEnv = resolveEnvironment(drachtio, required);
const drachtioXml = parseDrachtioConfig(
  readRepoFile('sip-config/drachtio.conf.xml'),
);

describe('docker-compose.yml', () => {
  it('runs bridgeline, Redis and drachtio-server', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'bridgeline',
      'drachtio',
      'redis',
    ]);
  });

  it('gives bridgeline only variables the config module knows', () => {
    const unknown = Object.keys(bridgeline.environment).filter(
      (name) => !configVariables.includes(name),
    );
    expect(unknown).toEqual([]);
  });

  it('gives bridgeline an environment loadConfig accepts', () => {
    expect(() => loadConfig(bridgelineEnv)).not.toThrow();
  });

  it('refuses to start without the admin token, the drachtio secret or the IVR URI', () => {
    for (const name of Object.keys(required)) {
      const missing: Record<string, string> = { ...required, [name]: '' };
      expect(() => resolveEnvironment(bridgeline, missing)).toThrow(
        `${name} is required`,
      );
    }
  });

  it('publishes the HTTP port bridgeline listens on', () => {
    const { port } = loadConfig(bridgelineEnv);
    const published = bridgeline.ports.map(parsePort);
    expect(published).toContainEqual({
      published: port,
      target: port,
      protocol: 'tcp',
    });
  });

  it('publishes the SMTP port bridgeline takes email on', () => {
    const { smtpPort } = loadConfig(bridgelineEnv).channels.email;
    expect(bridgeline.ports.map(parsePort)).toContainEqual({
      published: smtpPort,
      target: smtpPort,
      protocol: 'tcp',
    });
  });

  it('keeps what bridgeline writes to DATA_DIR on a volume', () => {
    const { dataDir } = loadConfig({ ...bridgelineEnv, DATA_DIR: '/data' });
    expect(bridgeline.volumes).toContainEqual(`app-data:${dataDir}`);
  });

  it('keeps Redis durable with the append-only file on', () => {
    const command = [redis.command ?? []].flat().join(' ');
    expect(command).toMatch(/--appendonly yes\b/);
    expect(redis.volumes.some((volume) => volume.endsWith(':/data'))).toBe(
      true,
    );
  });

  it('runs the official drachtio-server image pinned to a release', () => {
    expect(drachtio.image).toMatch(/^drachtio\/drachtio-server:\d+\.\d+\.\d+$/);
  });

  it('publishes SIP on 5060 over UDP and TCP', () => {
    const ports = drachtio.ports.map(parsePort);
    expect(ports).toContainEqual({
      published: 5060,
      target: 5060,
      protocol: 'udp',
    });
    expect(ports).toContainEqual({
      published: 5060,
      target: 5060,
      protocol: 'tcp',
    });
  });

  it('connects bridgeline to the drachtio service with the same secret', () => {
    expect(bridgelineEnv.DRACHTIO_HOST).toBe('drachtio');
    expect(drachtioEnv.DRACHTIO_SECRET).toBe(required.DRACHTIO_SECRET);
    expect(bridgelineEnv.DRACHTIO_SECRET).toBe(required.DRACHTIO_SECRET);
  });

  it('lets only bridgeline reach the admin port', () => {
    const adminPort = Number(bridgelineEnv.DRACHTIO_PORT);
    const everyPort = Object.values(compose.services).flatMap((svc) =>
      svc.ports.map(parsePort),
    );
    expect(everyPort.map((port) => port.target)).not.toContain(adminPort);

    const shared = drachtio.networks.filter((net) =>
      bridgeline.networks.includes(net),
    );
    expect(shared).toHaveLength(1);
    const adminNet = shared[0] ?? '';
    expect(compose.networks[adminNet]?.internal).toBe(true);
    const members = Object.entries(compose.services)
      .filter(([, svc]) => svc.networks.includes(adminNet))
      .map(([name]) => name);
    expect(members.sort()).toEqual(['bridgeline', 'drachtio']);
  });

  it('mounts the drachtio config from the repository where the server reads it', () => {
    const command = [drachtio.command ?? []].flat();
    const configPath = command[command.indexOf('-f') + 1];
    expect(command).toContain('-f');
    const mount = drachtio.volumes.find((volume) =>
      volume.includes(`:${configPath ?? ''}`),
    );
    const source = mount?.split(':')[0] ?? '';
    expect(existsSync(path.join(repoRoot, source))).toBe(true);
    expect(path.normalize(source)).toBe('sip-config/drachtio.conf.xml');
    expect(mount).toMatch(/:ro$/);
  });
});

describe('sip-config/drachtio.conf.xml', () => {
  it('listens for bridgeline on the port bridgeline connects to', () => {
    const adminPort = drachtioXml.admin['@_port'];
    expect(bridgelineEnv.DRACHTIO_PORT).toBe(adminPort);
    expect(drachtioEnv.DRACHTIO_ADMIN_TCP_PORT).toBe(adminPort);
    expect(drachtio.healthcheck?.test.join(' ')).toContain(`/${adminPort}`);
  });

  it('uses the config module default admin port, so a host install needs no DRACHTIO_PORT', () => {
    const withoutPort = { ...bridgelineEnv, DRACHTIO_PORT: '' };
    expect(loadConfig(withoutPort)).toEqual(loadConfig(bridgelineEnv));
  });

  it('binds the admin port to loopback and ships no real secret', () => {
    expect(drachtioXml.admin['#text']).toBe('127.0.0.1');
    // "cymru" is drachtio-server's documented sample secret.
    expect(drachtioXml.admin['@_secret']).not.toBe('cymru');
    expect(drachtioEnv.DRACHTIO_SECRET).not.toBe(drachtioXml.admin['@_secret']);
  });

  it('takes SIP on port 5060 over UDP and TCP', () => {
    expect(drachtioXml.sip.contacts.contact).toContain(
      'sip:*:5060;transport=udp,tcp',
    );
  });

  it('turns away every scanner the SIP edge rejects', () => {
    const agents = userAgentValues();
    // drachtio-server matches case-sensitively, the edge does not: each of
    // the edge's fragments needs a value here, in some spelling.
    const uncovered = knownScannerAgents.filter(
      (fragment) =>
        !agents.some((value) => value.toLowerCase() === fragment.toLowerCase()),
    );
    expect(uncovered).toEqual([]);
  });

  it('drops nothing at drachtio-server that the SIP edge would let through', () => {
    const edgeRejects = scannerMatcher([]);
    const extra = userAgentValues().filter((value) => !edgeRejects(value));
    expect(extra).toEqual([]);
  });

  it('lets the softphones agents use through', () => {
    const agents = drachtioXml.sip.spammers.header.flatMap((h) => h.value);
    const softphones = [
      'Bria 6 release 6.5.2 stamp 110513',
      'Z 5.6.2 v2.10.19.8',
      'Linphone-Desktop/5.2.6 (belle-sip/5.2.94)',
      'MicroSIP/3.21.3',
      'jambonz',
    ];
    for (const userAgent of softphones) {
      expect(agents.filter((value) => userAgent.includes(value))).toEqual([]);
    }
  });

  it('keeps callers phone numbers out of its logs by default', () => {
    // At info and debug drachtio-server logs every SIP message in full.
    expect(['notice', 'warning', 'error']).toContain(
      drachtioXml.logging.loglevel,
    );
    expect(drachtioEnv.DRACHTIO_LOGLEVEL).toBe(drachtioXml.logging.loglevel);
  });
});

function userAgentValues(): string[] {
  return drachtioXml.sip.spammers.header
    .filter((header) => header['@_name'] === 'User-Agent')
    .flatMap((header) => header.value);
}

describe('sip-config/trunks examples', () => {
  const examples = ['carrier.env.example', 'jambonz.env.example'];

  it.each(examples)('%s sets only variables loadConfig accepts', (name) => {
    const env = parseEnvFile(readRepoFile(`sip-config/trunks/${name}`));
    expect(Object.keys(env).length).toBeGreaterThan(0);
    expect(
      Object.keys(env).filter((key) => !configVariables.includes(key)),
    ).toEqual([]);
    expect(() => loadConfig(env)).not.toThrow();
  });
});

describe('docker/Dockerfile', () => {
  it('exposes the ports the compose file publishes', () => {
    const dockerfile = readRepoFile('docker/Dockerfile');
    const config = loadConfig(bridgelineEnv);
    const { port } = config;
    const { smtpPort } = config.channels.email;
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${port} ${smtpPort}$`, 'm'));
    expect(dockerfile).toMatch(new RegExp(`\\bPORT=${port}\\b`));
  });
});

describe('compose interpolation', () => {
  it('resolves defaults, required values and literal dollars as Compose does', () => {
    const given = { SET: 'yes', EMPTY: '' };
    expect(interpolate('${SET:-no}', given)).toBe('yes');
    expect(interpolate('${EMPTY:-fallback}', given)).toBe('fallback');
    expect(interpolate('${EMPTY-fallback}', given)).toBe('');
    expect(interpolate('${UNSET-fallback}', given)).toBe('fallback');
    expect(interpolate('a$$b', given)).toBe('a$b');
    expect(() => interpolate('${UNSET:?say why}', given)).toThrow(
      'UNSET is required: say why',
    );
    expect(() => interpolate('$UNBRACED', given)).toThrow('unsupported');
  });
});
