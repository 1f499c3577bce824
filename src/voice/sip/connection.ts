import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { Logger } from '../../log';
import type { Srf as SrfInstance } from '../../types/drachtio-srf';
import type { DrachtioTarget } from './settings';
import { Srf } from './srf';

/**
 * The link to drachtio-server, in inbound mode: we dial it (RFC-free:
 * drachtio's own protocol). drachtio-srf 5.0.29 can reconnect by itself,
 * but its reconnect (lib/wire-protocol.js, _onConnectionGone) dials plain
 * TCP even when the first connection was TLS, grows its delay without a
 * cap unless told one, and its disconnect() throws while no connection is
 * up. So its own reconnecting is turned off (maxAttempts: 1) and each
 * attempt here is a fresh Srf with the request handlers installed again:
 * TLS every time, capped exponential backoff with jitter, and a stop that
 * works in any state.
 */

export type LinkState = 'connecting' | 'connected' | 'stopped';

export interface DrachtioConnectionOptions {
  target: DrachtioTarget;
  logger: Logger;
  /** Puts the request handlers on each new Srf. */
  install: (srf: SrfInstance) => void;
  onStateChange?: (state: LinkState) => void;
  /** Called at each reconnect attempt after the first, for /metrics. */
  onReconnect?: () => void;
}

const noop = () => undefined;
const FIRST_DELAY_MS = 200;
// A close after a successful start waits for this long at most.
const STOP_WAIT_MS = 2000;

export class DrachtioConnection {
  private current: SrfInstance | undefined;
  private linkState: LinkState = 'connecting';
  private connected = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed: Promise<void> = Promise.resolve();

  constructor(private readonly options: DrachtioConnectionOptions) {}

  get state(): LinkState {
    return this.linkState;
  }

  start(): void {
    void this.attempt();
  }

  /** Stops dialling and closes the connection, whatever its state. */
  async stop(): Promise<void> {
    this.setState('stopped');
    clearTimeout(this.retryTimer);
    if (this.current && this.connected) {
      this.disconnect(this.current);
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.closed,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
  }

  private async attempt(): Promise<void> {
    const { target, logger } = this.options;
    let tls: TlsOptions | undefined;
    try {
      tls = target.tls === undefined ? undefined : await tlsOptions(target);
    } catch (err) {
      logger.error({ err }, 'drachtio TLS files unreadable');
      this.retry();
      return;
    }
    if (this.linkState === 'stopped') {
      return;
    }

    const srf = new Srf();
    this.current = srf;
    this.connected = false;
    this.options.install(srf);
    let gone = false;
    let markClosed: () => void = noop;
    this.closed = new Promise((resolve) => {
      markClosed = resolve;
    });
    const lost = (reason: string) => {
      if (gone) {
        return;
      }
      gone = true;
      this.connected = false;
      markClosed();
      if (this.linkState !== 'stopped') {
        logger.warn({ reason }, 'drachtio connection lost');
        this.retry();
      }
    };

    srf.on('connect', (err, hostport) => {
      if (err) {
        logger.error({ err: err.message }, 'drachtio refused the secret');
        this.disconnect(srf);
        lost('authentication failed');
        return;
      }
      this.connected = true;
      if (this.linkState === 'stopped') {
        this.disconnect(srf);
        return;
      }
      this.failures = 0;
      this.setState('connected');
      logger.info({ hostport, tls: tls !== undefined }, 'drachtio connected');
    });
    srf.on('error', (err) => {
      lost(err.message);
    });
    srf.on('close', () => {
      lost('closed');
    });

    srf.connect({
      host: target.host,
      port: target.port,
      secret: target.secret,
      reconnect: { maxAttempts: 1 },
      ...(tls === undefined ? {} : { tls }),
    });
  }

  private retry(): void {
    if (this.linkState === 'stopped') {
      return;
    }
    this.setState('connecting');
    this.failures += 1;
    const ceiling = Math.min(
      this.options.target.reconnectMaxMs,
      FIRST_DELAY_MS * 2 ** Math.min(this.failures - 1, 20),
    );
    // Full jitter: many instances that lost the same server do not all
    // dial it again in the same millisecond.
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    this.options.logger.info({ delayMs: delay }, 'drachtio reconnecting');
    this.retryTimer = setTimeout(() => {
      this.options.onReconnect?.();
      void this.attempt();
    }, delay);
    this.retryTimer.unref();
  }

  private disconnect(srf: SrfInstance): void {
    try {
      srf.disconnect();
    } catch (err) {
      // No socket yet: nothing to close; the connect handler closes it.
      this.options.logger.debug({ err }, 'drachtio disconnect skipped');
    }
  }

  private setState(state: LinkState): void {
    if (this.linkState === state) {
      return;
    }
    if (this.linkState === 'stopped') {
      return;
    }
    this.linkState = state;
    this.options.onStateChange?.(state);
  }
}

async function tlsOptions(target: DrachtioTarget): Promise<TlsOptions> {
  const files = target.tls ?? {};
  const [ca, cert, key] = await Promise.all(
    [files.ca, files.cert, files.key].map((file) =>
      file === undefined ? Promise.resolve(undefined) : readFile(file),
    ),
  );
  return {
    // SNI takes host names only (RFC 6066 §3).
    ...(isIP(target.host) === 0 ? { servername: target.host } : {}),
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
  };
}
