import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * Readers for the deployment files (docker-compose.yml, the drachtio-server
 * config, the .env examples), so a test can check them against the config
 * module without a Docker engine. Each reader validates the shape it relies
 * on, so a file that changes shape fails with a clear message, not a
 * TypeError deep in a test.
 */

export const repoRoot = path.resolve(__dirname, '..', '..');

export function readRepoFile(relative: string): string {
  return readFileSync(path.join(repoRoot, relative), 'utf8');
}

const service = z.object({
  image: z.string().optional(),
  build: z.unknown().optional(),
  command: z.union([z.string(), z.array(z.string())]).optional(),
  // Only the map form: it is the one a reader can scan for a variable.
  environment: z.record(z.string(), z.string()).default({}),
  ports: z.array(z.string()).default([]),
  volumes: z.array(z.string()).default([]),
  networks: z.array(z.string()).default(['default']),
  healthcheck: z.object({ test: z.array(z.string()) }).optional(),
});

const composeFile = z.object({
  services: z.record(z.string(), service),
  networks: z
    .record(z.string(), z.object({ internal: z.boolean().optional() }))
    .default({}),
});

export type ComposeService = z.infer<typeof service>;
export type ComposeFile = z.infer<typeof composeFile>;

export function loadCompose(relative = 'docker-compose.yml'): ComposeFile {
  return composeFile.parse(parseYaml(readRepoFile(relative)));
}

/**
 * Resolves Compose's interpolation the way `docker compose config` does:
 * `${VAR}`, `${VAR:-default}` (default when unset or empty), `${VAR-default}`
 * (default when unset), `${VAR:?message}` and `${VAR?message}` (refuse to
 * start), and `$$` for a literal dollar. Anything else throws, so a form this
 * reader does not know cannot pass unnoticed.
 */
export function interpolate(
  text: string,
  given: Readonly<Record<string, string>>,
): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$/g,
    (match, name?: string, operator?: string, operand?: string) => {
      if (match === '$$') {
        return '$';
      }
      if (name === undefined) {
        throw new Error(`unsupported interpolation in ${JSON.stringify(text)}`);
      }
      const value = given[name];
      const missing =
        value === undefined || (operator?.startsWith(':') === true && !value);
      if (!missing) {
        return value;
      }
      if (operator === undefined) {
        return '';
      }
      if (operator.endsWith('?')) {
        throw new Error(`${name} is required: ${operand ?? ''}`);
      }
      return operand ?? '';
    },
  );
}

export function resolveEnvironment(
  svc: ComposeService,
  given: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(svc.environment).map(([name, value]) => [
      name,
      interpolate(value, given),
    ]),
  );
}

export interface PortMapping {
  published: number | undefined;
  target: number;
  protocol: 'tcp' | 'udp';
}

/** Compose's short port syntax: [[ip:]published:]target[/protocol]. */
export function parsePort(spec: string): PortMapping {
  const match = /^(?:(?:[\d.]+:)?(\d+):)?(\d+)(?:\/(tcp|udp))?$/.exec(spec);
  if (!match?.[2]) {
    throw new Error(`unsupported port mapping ${spec}`);
  }
  return {
    published: match[1] === undefined ? undefined : Number(match[1]),
    target: Number(match[2]),
    protocol: match[3] === 'udp' ? 'udp' : 'tcp',
  };
}

/** KEY=value lines; blank lines and # comments are skipped. */
export function parseEnvFile(text: string): Record<string, string> {
  const entries = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
      if (!match?.[1] || match[2] === undefined) {
        throw new Error(`not a KEY=value line: ${line}`);
      }
      return [match[1], match[2]] as const;
    });
  return Object.fromEntries(entries);
}

const values = z.array(z.string());

const drachtioConfig = z.object({
  drachtio: z.object({
    admin: z.object({
      '#text': z.string(),
      '@_port': z.string(),
      '@_secret': z.string(),
    }),
    sip: z.object({
      contacts: z.object({ contact: values }),
      spammers: z.object({
        '@_action': z.enum(['reject', 'discard']),
        '@_tcp-action': z.enum(['reject', 'discard']).optional(),
        header: z.array(z.object({ '@_name': z.string(), value: values })),
      }),
    }),
    logging: z.object({
      loglevel: z.string(),
      'sofia-loglevel': z.string(),
    }),
  }),
});

export type DrachtioConfig = z.infer<typeof drachtioConfig>['drachtio'];

/** Parses drachtio.conf.xml, refusing XML that is not well-formed. */
export function parseDrachtioConfig(xml: string): DrachtioConfig {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new Error(
      `not well-formed XML at line ${valid.err.line}: ${valid.err.msg}`,
    );
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: true,
    isArray: (name) => ['contact', 'header', 'value'].includes(name),
  });
  return drachtioConfig.parse(parser.parse(xml)).drachtio;
}
