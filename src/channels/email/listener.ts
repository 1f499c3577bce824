import type { AddressInfo } from 'node:net';
import {
  SMTPServer,
  type SMTPServerDataStream,
  type SMTPServerSession,
} from 'smtp-server';
import { errorCatalog, isBridgelineError, type ErrorCode } from '../../errors';
import type { Logger } from '../../log';
import type { EmailInbound } from './inbound';
import type { SenderRate } from './sender-rate';

/**
 * The SMTP listener: bridgeline as the MX of EMAIL_REPLY_DOMAIN (or of any
 * domain pointed at it), port SMTP_PORT. It is a thin transport: the
 * session's checks (size, rate) happen here, everything else is
 * EmailInbound's. A message gets its 250 only once it is on the timeline,
 * so a refusal or a crash leaves the sending MTA holding it (RFC 5321
 * section 6.1: the receiver takes responsibility with the 250).
 *
 * An address may hold SMTP_SESSIONS_PER_IP sessions at once; one more is
 * refused at connect with 421, so one sender opening sessions and idling
 * in them (each lasts until smtp-server's 60 s socket timeout) cannot
 * take the listener from everyone else.
 */

export interface ListenerSettings {
  host: string;
  /** 0: any free port; see `port` once listening. */
  port: number;
  maxBytes: number;
  sessionsPerIp: number;
  /** SHUTDOWN_GRACE_MS: how long a close waits for open sessions. */
  closeTimeoutMs: number;
}

/** The reply each refusal gets: RFC 5321 section 4.2.2 codes. */
const smtpCodes: Partial<Record<ErrorCode, number>> = {
  // 554: transaction failed; the message itself is at fault.
  BL_ERR_EMAIL_MALFORMED: 554,
  // 550: not taken; the sender's mailbox is unusable.
  BL_ERR_EMAIL_NO_SENDER: 550,
  // 552: exceeded storage allocation, RFC 1870's answer to SIZE.
  BL_ERR_EMAIL_TOO_LARGE: 552,
  // 451: aborted, try again later; MTAs queue and retry.
  BL_ERR_EMAIL_RATE_LIMITED: 451,
  // 421: service not available, closing the channel (section 3.8).
  BL_ERR_EMAIL_TOO_MANY_SESSIONS: 421,
};

type SmtpError = Error & { responseCode: number };

function smtpError(code: ErrorCode): SmtpError {
  const err = new Error(`${errorCatalog[code].message} (${code})`);
  return Object.assign(err, { responseCode: smtpCodes[code] ?? 451 });
}

export class SmtpListener {
  private readonly server: SMTPServer;
  private bound: number | undefined;
  private readonly sessions = new SessionCount();

  constructor(
    private readonly inbound: EmailInbound,
    private readonly rate: SenderRate,
    private readonly settings: ListenerSettings,
    private readonly log: Logger,
  ) {
    this.server = new SMTPServer({
      banner: 'bridgeline',
      size: settings.maxBytes,
      // An MX takes mail from any MTA, unauthenticated (RFC 5321 section
      // 5): AUTH has no one to check. STARTTLS needs a certificate this
      // server does not hold; offering it without one would break every
      // sender that tries it. Put a TLS-terminating MTA in front if needed.
      disabledCommands: ['AUTH', 'STARTTLS'],
      authOptional: true,
      // Nothing reads the client's reverse DNS name, and a slow resolver
      // would hold every greeting for up to its timeout.
      disableReverseLookup: true,
      closeTimeout: settings.closeTimeoutMs,
      logger: false,
      onConnect: (session, callback) => {
        if (this.sessions.open(session, this.settings.sessionsPerIp)) {
          callback();
          return;
        }
        this.log.info({ session: session.id }, 'smtp sessions over the cap');
        callback(smtpError('BL_ERR_EMAIL_TOO_MANY_SESSIONS'));
      },
      onClose: (session) => {
        this.sessions.close(session);
      },
      onMailFrom: (_address, session, callback) => {
        this.admit(session).then(
          () => {
            callback();
          },
          (err: unknown) => {
            callback(err as Error);
          },
        );
      },
      onData: (stream, session, callback) => {
        this.take(stream, session).then(
          () => {
            callback();
          },
          (err: unknown) => {
            callback(err as Error);
          },
        );
      },
    });
    this.server.on('error', (err) => {
      this.log.warn({ err }, 'smtp session error');
    });
  }

  /** The port bound, once listening. */
  get port(): number | undefined {
    return this.bound;
  }

  async listen(): Promise<number> {
    const { host, port } = this.settings;
    await new Promise<void>((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.server.off('error', reject);
        resolve();
      });
    });
    this.bound = (this.server.server.address() as AddressInfo).port;
    this.log.info({ host, port: this.bound }, 'smtp listening');
    return this.bound;
  }

  /** Stops taking connections; sessions in hand finish their message. */
  async close(): Promise<void> {
    if (this.bound === undefined) {
      return;
    }
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
    this.bound = undefined;
  }

  private async admit(session: SMTPServerSession): Promise<void> {
    if (!(await this.rate.admit(session.remoteAddress))) {
      this.log.info({ session: session.id }, 'smtp sender over its rate');
      throw smtpError('BL_ERR_EMAIL_RATE_LIMITED');
    }
  }

  private async take(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
  ): Promise<void> {
    // The hard cut: past SMTP_MAX_BYTES nothing more is kept in memory,
    // the rest is read and dropped so the session can answer 552.
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes <= this.settings.maxBytes) {
        chunks.push(chunk);
      }
    }
    if (stream.sizeExceeded || bytes > this.settings.maxBytes) {
      this.log.info({ session: session.id, bytes }, 'smtp message too large');
      throw smtpError('BL_ERR_EMAIL_TOO_LARGE');
    }
    const recipients = session.envelope.rcptTo.map((rcpt) => rcpt.address);
    try {
      await this.inbound.receive(Buffer.concat(chunks, bytes), {
        recipients,
        bytes,
      });
    } catch (err) {
      if (isBridgelineError(err) && smtpCodes[err.code] !== undefined) {
        this.log.info(
          { session: session.id, code: err.code },
          'smtp message refused',
        );
        throw smtpError(err.code);
      }
      this.log.error({ err, session: session.id }, 'smtp message not stored');
      throw smtpError('BL_ERR_INTERNAL');
    }
  }
}

/** Sessions open per remote address; only admitted ones are counted. */
class SessionCount {
  private readonly byAddress = new Map<string, number>();
  private readonly admitted = new Map<string, string>();

  /** Counts the session in, unless its address already holds `cap`. */
  open(session: SMTPServerSession, cap: number): boolean {
    const address = session.remoteAddress;
    const count = this.byAddress.get(address) ?? 0;
    if (count >= cap) {
      return false;
    }
    this.byAddress.set(address, count + 1);
    this.admitted.set(session.id, address);
    return true;
  }

  close(session: SMTPServerSession): void {
    const address = this.admitted.get(session.id);
    if (address === undefined) {
      return;
    }
    this.admitted.delete(session.id);
    const count = (this.byAddress.get(address) ?? 1) - 1;
    if (count === 0) {
      this.byAddress.delete(address);
    } else {
      this.byAddress.set(address, count);
    }
  }
}
