import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log';

/**
 * The key escalation links are signed with: LINK_SECRET when set (every
 * instance of a deployment must share it), else one kept in
 * DATA_DIR/link-secret, created on first start, so links a single instance
 * sent still open after a restart.
 */
export async function resolveLinkSecret(
  configured: string | undefined,
  dataDir: string,
  logger: Logger,
): Promise<Buffer> {
  if (configured !== undefined) {
    return Buffer.from(configured, 'utf8');
  }
  const file = path.join(dataDir, 'link-secret');
  try {
    const stored = (await fs.readFile(file, 'utf8')).trim();
    if (stored.length >= 43) {
      return Buffer.from(stored, 'base64url');
    }
  } catch {
    // Not there yet: created below.
  }
  const secret = randomBytes(32);
  await fs.mkdir(dataDir, { recursive: true });
  await fs.writeFile(file, `${secret.toString('base64url')}\n`, {
    mode: 0o600,
  });
  logger.info({ file }, 'link secret created; LINK_SECRET overrides it');
  return secret;
}
