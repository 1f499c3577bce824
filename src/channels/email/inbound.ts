import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { ContextCard } from '../../context/card';
import type { ContextStore } from '../../context/store';
import { BridgelineError, isBridgelineError } from '../../errors';
import type { CallbackRequests } from '../../escalation/callback-requests';
import { maskEmail, type Logger } from '../../log';
import type { Journeys } from '../journeys';
import { parseKeyword } from '../sms/keywords';
import type { EmailThreads } from './threads';

/**
 * An inbound email, from the SMTP listener to the timeline: who sent it,
 * which conversation it continues, and whether it asks for a call. The
 * sender is the From address (RFC 5322 section 3.6.2), which anyone can
 * write: the identity is linked self-claimed, and the card shows it
 * unverified. A From already linked to a customer keeps its link.
 *
 * TODO(security): SPF, DKIM and DMARC are not checked, so mail with a
 * forged From lands on the timeline of the customer who owns the address.
 */

export interface EmailInboundOptions {
  store: ContextStore;
  journeys: Journeys;
  threads: EmailThreads;
  /** The callback service, once it is built; undefined when there is none. */
  callbacks: () => CallbackRequests | undefined;
  log: Logger;
}

/** What the SMTP session knows besides the message itself. */
export interface Envelope {
  /** RCPT TO addresses (RFC 5321 section 3.3), which Bcc leaves out. */
  recipients: readonly string[];
  bytes: number;
}

export type EmailOutcome =
  | { status: 'stored'; customerId: string; conversationId: string }
  | { status: 'duplicate' };

/** What an agent needs of a body on the timeline; the rest is quoting. */
export const storedTextChars = 4000;

const subjectChars = 998;

export class EmailInbound {
  /** Callback requests in flight: made after the 250 is sent. */
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: EmailInboundOptions) {}

  async receive(raw: Buffer, envelope: Envelope): Promise<EmailOutcome> {
    const { journeys, threads } = this.options;
    const mail = await parse(raw);
    const from = this.sender(mail);
    const card = await journeys.customerFor({
      kind: 'email',
      value: from,
      verification: 'self_claimed',
      source: 'email',
    });
    const customerId = card.customer.id;
    const messageId = mail.messageId?.slice(0, subjectChars);

    if (messageId && !(await threads.claim(customerId, messageId))) {
      this.options.log.info({ customerId }, 'email already stored: resent');
      return { status: 'duplicate' };
    }
    let stored;
    try {
      stored = await this.store(card, mail, envelope, messageId);
    } catch (err) {
      // Not stored: the sender's retry must not be taken for a repeat.
      if (messageId) {
        await threads.release(customerId, messageId);
      }
      throw err;
    }
    const { placement, threadedBy } = stored;

    const { conversationId } = placement;
    if (messageId) {
      await threads.rememberInbound(customerId, conversationId, {
        inReplyTo: messageId,
        references: [...references(mail), messageId],
      });
    }
    const asksForCall = wantsCall(mail);
    this.options.log.info(
      {
        customerId,
        conversationId,
        opened: placement.opened,
        threadedBy,
        asksForCall,
        bytes: envelope.bytes,
        from: maskEmail(from),
      },
      'email received',
    );
    if (asksForCall) {
      this.track(this.askForCall(customerId, conversationId, messageId));
    }
    return { status: 'stored', customerId, conversationId };
  }

  /** Waits for the callback requests in flight; before Redis closes. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private async store(
    card: ContextCard,
    mail: ParsedMail,
    envelope: Envelope,
    messageId: string | undefined,
  ) {
    const named = await this.conversationNamed(
      card.customer.id,
      mail,
      envelope,
    );
    const subject = (mail.subject ?? '').slice(0, subjectChars);
    const text = trimmed(mail.text);
    const placement = await this.options.journeys.record(
      card,
      'email',
      [
        {
          type: 'email.message',
          direction: 'inbound',
          subject,
          ...(text === undefined ? {} : { text }),
          ...(messageId === undefined ? {} : { messageId }),
        },
      ],
      {
        ...(named ? { named: named.conversationId } : {}),
        subject: subject === '' ? 'Email' : subject,
      },
    );
    // A named conversation that has closed since is not where it went.
    const threaded = named?.conversationId === placement.conversationId;
    return { placement, threadedBy: threaded ? named.by : 'none' };
  }

  private sender(mail: ParsedMail): string {
    const address = firstAddress(mail.from);
    if (address === undefined) {
      throw new BridgelineError('BL_ERR_EMAIL_NO_SENDER', { field: 'from' });
    }
    try {
      return this.options.store.normalizeIdentity('email', address, 'from')
        .value;
    } catch (err) {
      if (isBridgelineError(err)) {
        throw new BridgelineError('BL_ERR_EMAIL_NO_SENDER', { field: 'from' });
      }
      throw err;
    }
  }

  /** The reply address first: it survives clients that drop headers. */
  private async conversationNamed(
    customerId: string,
    mail: ParsedMail,
    envelope: Envelope,
  ): Promise<
    { conversationId: string; by: 'reply-address' | 'references' } | undefined
  > {
    const { threads } = this.options;
    const recipients = [
      ...envelope.recipients,
      ...addresses(mail.to),
      ...addresses(mail.cc),
    ];
    const byAddress = await threads.byReplyAddress(customerId, recipients);
    if (byAddress) {
      return { conversationId: byAddress, by: 'reply-address' };
    }
    // The message replied to first, then the thread from its newest end.
    const ids = [
      ...(mail.inReplyTo ? [mail.inReplyTo] : []),
      ...references(mail).reverse(),
    ];
    const byReferences = await threads.byReferences(customerId, ids);
    return byReferences
      ? { conversationId: byReferences, by: 'references' }
      : undefined;
  }

  private async askForCall(
    customerId: string,
    conversationId: string,
    messageId: string | undefined,
  ): Promise<void> {
    const callbacks = this.options.callbacks();
    if (!callbacks) {
      this.options.log.info({ customerId }, 'email asked for a call: none');
      return;
    }
    try {
      const receipt = await callbacks.request({
        customerId,
        conversationId,
        source: 'email',
        requestKey: messageId ?? `${conversationId}:${Date.now()}`,
      });
      this.options.log.info(
        { customerId, conversationId, status: receipt.status },
        'email asked for a call',
      );
    } catch (err) {
      this.options.log.error(
        { err, customerId },
        'email callback request failed',
      );
    }
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }
}

async function parse(raw: Buffer): Promise<ParsedMail> {
  let mail: ParsedMail;
  try {
    // Links and HTML are never shown from the timeline: skip making them.
    mail = await simpleParser(raw, {
      skipHtmlToText: false,
      skipTextToHtml: true,
      skipTextLinks: true,
      skipImageLinks: true,
    });
  } catch {
    throw new BridgelineError('BL_ERR_EMAIL_MALFORMED');
  }
  // Every header line is `name: body` (RFC 5322 section 2.2); a line
  // without a name means the message has no header section, or a broken
  // one, and what was taken for a body is not one.
  if (mail.headerLines.some((line) => line.key === '')) {
    throw new BridgelineError('BL_ERR_EMAIL_MALFORMED');
  }
  return mail;
}

function addresses(field: AddressObject | AddressObject[] | undefined) {
  const objects = field === undefined ? [] : [field].flat();
  const found: string[] = [];
  for (const object of objects) {
    for (const entry of object.value) {
      // A group (RFC 5322 section 3.4) holds its members in `group`.
      for (const member of [entry, ...(entry.group ?? [])]) {
        if (member.address) {
          found.push(member.address);
        }
      }
    }
  }
  return found;
}

function firstAddress(field: AddressObject | undefined): string | undefined {
  return addresses(field)[0];
}

function references(mail: ParsedMail): string[] {
  const { references: refs } = mail;
  return refs === undefined ? [] : [refs].flat();
}

function trimmed(text: string | undefined): string | undefined {
  const body = text?.trim();
  if (!body) {
    return undefined;
  }
  return body.length <= storedTextChars
    ? body
    : `${body.slice(0, storedTextChars - 1)}…`;
}

/**
 * A subject or a first line that is only "call me" (or "callback", "call
 * back"), as SMS takes it: words inside a sentence are not a request.
 */
function wantsCall(mail: ParsedMail): boolean {
  const firstLine = (mail.text ?? '').trim().split('\n')[0] ?? '';
  return [mail.subject ?? '', firstLine].some(
    (line) => parseKeyword(line) === 'callback',
  );
}
