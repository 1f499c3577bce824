import type { CountryCode } from 'libphonenumber-js';
import { BridgelineError } from '../errors';
import type { RedisClient } from '../redis/connect';
import type { CallerCard, ContextCard } from './card';
import { CardReader, type CardShape } from './card-reads';
import {
  conversationInput,
  conversationPatch,
  decodeConversation,
  type ConversationInput,
  type Conversation,
} from './conversations';
import {
  customerInput,
  decodeProfile,
  profileChanges,
  type CustomerProfile,
} from './customers';
import { completeEvent, eventInput, type TimelineEntry } from './events';
import type { CustomerFiles } from './customer-files';
import { eraseCustomer, type ErasureReceipt } from './erasure';
import {
  identityField,
  isStronger,
  normalizeIdentity,
  parseIdentityField,
  PhoneNormalizer,
  type IdentityLink,
  type IdentityRef,
} from './identity';
import { claimPointers, identityTaken, resolveOwner } from './identity-claims';
import {
  customerIdPattern,
  keys,
  newConversationId,
  newCustomerId,
  type IdentityKind,
} from './keys';
import { sweepRetention, type RetentionReport } from './retention';
import { defineScripts } from './scripts';
import { parseInput, prefixFields } from './validate';

export type PreparedConversation = Pick<
  ConversationInput,
  'subject' | 'channel'
> & { id: string };

export interface ContextStoreOptions {
  phoneDefaultRegion: CountryCode;
  /** Timeline events older than this are trimmed and never shown. */
  timelineMaxAgeMs: number;
  card: { events: number; conversations: number };
  /** The clock, in ms; tests move it to age data without waiting. */
  now?: () => number;
}

/**
 * The customer context store: who someone is, how we know, and what they
 * have said to us on every channel. Every other part of bridgeline asks it
 * first.
 */
export class ContextStore {
  private readonly now: () => number;
  private readonly phones: PhoneNormalizer;
  private readonly files: CustomerFiles[] = [];
  private readonly cards: CardReader;

  constructor(
    readonly redis: RedisClient,
    private readonly options: ContextStoreOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.phones = new PhoneNormalizer(options.phoneDefaultRegion);
    this.cards = new CardReader(redis, this.now, (customerId, matchedField) =>
      redis.blBuildCard(
        ...this.cardKeys(customerId),
        ...this.cardArgs(customerId),
        matchedField,
      ),
    );
    defineScripts(redis);
  }

  normalizeIdentity(
    kind: IdentityKind,
    raw: string,
    field?: string,
  ): IdentityRef {
    return kind === 'phone'
      ? { kind, value: this.phones.normalize(raw, field) }
      : normalizeIdentity(kind, raw, this.options.phoneDefaultRegion, field);
  }

  /**
   * Creates a customer, or updates the one named by `id` or owning one of
   * the identities. Identities are claimed before the profile is written;
   * an identity owned by someone else refuses the whole request. `raw` is
   * a CustomerInput, validated here since it comes straight off the wire.
   */
  async upsertCustomer(
    raw: unknown,
  ): Promise<{ customer: CustomerProfile; created: boolean }> {
    const input = parseInput(customerInput, raw);
    const nowIso = new Date(this.now()).toISOString();
    const links: IdentityLink[] = input.identities.map((identity, i) => ({
      ...this.normalizeIdentity(
        identity.kind,
        identity.value,
        `identities.${i}.value`,
      ),
      verification: identity.verification,
      source: identity.source,
      linkedAt: nowIso,
    }));

    const { owner: customerId, unclaimed } = await resolveOwner(
      this.redis,
      input.id ?? newCustomerId(),
      input.id !== undefined,
      links,
    );
    const customerKey = keys.customer(customerId);
    const identitiesKey = keys.identities(customerId);
    const [current, known] = await Promise.all([
      this.redis.hgetall(customerKey),
      this.redis.hgetall(identitiesKey),
    ]);
    const created = current.createdAt === undefined;
    const { set, remove } = profileChanges(input, current, nowIso);

    const linkFields: Record<string, string> = {};
    for (const link of links) {
      const field = identityField(link);
      const existing = known[field];
      const kept = existing ? parseIdentityField(field, existing) : undefined;
      if (!kept || isStronger(link.verification, kept.verification)) {
        linkFields[field] = linkRecord(link);
      }
    }

    const tx = this.redis.multi().hset(customerKey, set);
    if (remove.length > 0) {
      tx.hdel(customerKey, ...remove);
    }
    if (Object.keys(linkFields).length > 0) {
      tx.hset(identitiesKey, linkFields);
    }
    await tx.exec();

    const lost = await claimPointers(this.redis, customerId, unclaimed);
    if (lost) {
      await this.undoLinks(customerId, created, links, known);
      throw identityTaken(links.indexOf(lost));
    }
    await this.refreshCard(customerId);
    const stored = await this.redis.hgetall(customerKey);
    return { customer: decodeProfile(customerId, stored), created };
  }

  /** Links one more identity, or strengthens how far it is verified. */
  async linkIdentity(
    customerId: string,
    link: Omit<IdentityLink, 'linkedAt'>,
  ): Promise<void> {
    await this.requireCustomer(customerId);
    await this.upsertCustomer({
      id: customerId,
      identities: [
        {
          kind: link.kind,
          value: link.value,
          verification: link.verification,
          source: link.source,
        },
      ],
    });
  }

  /** Undoes a link; the identity then finds nobody until linked again. */
  async unlinkIdentity(customerId: string, ref: IdentityRef): Promise<void> {
    assertCustomerId(customerId);
    const field = identityField(ref);
    if (!(await this.redis.hexists(keys.identities(customerId), field))) {
      throw new BridgelineError('BL_ERR_IDENTITY_NOT_FOUND', {
        field: 'value',
      });
    }
    // The pointer goes first: were we to stop half-way, the identity would
    // still be listed on the card but no longer lead anyone to this customer.
    await this.redis.blReleaseIdentity(
      keys.identity(ref.kind, ref.value),
      customerId,
    );
    await this.redis.hdel(keys.identities(customerId), field);
    await this.refreshCard(customerId);
  }

  /** The card for whoever owns an identity, or undefined for a stranger. */
  async cardByIdentity(ref: IdentityRef): Promise<ContextCard | undefined> {
    const json = await this.cardJsonByIdentity(ref);
    return json === undefined ? undefined : (JSON.parse(json) as ContextCard);
  }

  async cardById(customerId: string): Promise<ContextCard | undefined> {
    const json = await this.cardJsonById(customerId);
    return json === undefined ? undefined : (JSON.parse(json) as ContextCard);
  }

  /**
   * The card without its timeline, for routing a call: the SIP edge and the
   * IVR read the customer, identities and conversations, and leave the
   * timeline (most of the card's bytes) in Redis.
   */
  async callerCardByIdentity(
    ref: IdentityRef,
  ): Promise<CallerCard | undefined> {
    const json = await this.cardJsonByIdentity(ref, 'caller');
    return json === undefined ? undefined : (JSON.parse(json) as CallerCard);
  }

  async callerCardById(customerId: string): Promise<CallerCard | undefined> {
    const json = await this.cardJsonById(customerId, '', 'caller');
    return json === undefined ? undefined : (JSON.parse(json) as CallerCard);
  }

  /** The card as the JSON Redis keeps ready; see card-reads.ts. */
  cardJsonByIdentity(
    ref: IdentityRef,
    shape: CardShape = 'whole',
  ): Promise<string | undefined> {
    return this.cards.byIdentity(ref, shape);
  }

  cardJsonById(
    customerId: string,
    matchedField = '',
    shape: CardShape = 'whole',
  ): Promise<string | undefined> {
    return this.cards.byId(customerId, matchedField, shape);
  }

  async appendEvent(customerId: string, raw: unknown): Promise<TimelineEntry> {
    const [entry] = await this.appendEvents(customerId, [raw]);
    return entry as TimelineEntry;
  }

  /**
   * Appends events in order, atomically: all of them or, when one names a
   * conversation the customer does not have, none. One call per batch
   * rebuilds the card once, so a webhook's several steps cost one rebuild.
   */
  async appendEvents(
    customerId: string,
    raws: readonly unknown[],
    options: { opening?: PreparedConversation } = {},
  ): Promise<TimelineEntry[]> {
    assertCustomerId(customerId);
    const nowMs = this.now();
    const events = raws.map((raw, i) => {
      try {
        return completeEvent(parseInput(eventInput, raw), new Date(nowMs));
      } catch (err) {
        throw raws.length > 1 ? prefixFields(err, `events.${i}`) : err;
      }
    });
    const ids = await this.redis
      .blAppendEvents(
        ...this.cardKeys(customerId),
        ...this.cardArgs(customerId),
        nowMs,
        new Date(nowMs).toISOString(),
        options.opening?.id ?? '',
        options.opening?.subject ?? '',
        options.opening?.channel ?? '',
        ...events.flatMap((event) => [
          JSON.stringify(event),
          event.channel === 'internal' ? '' : event.channel,
          event.conversationId ?? '',
        ]),
      )
      .catch(scriptError);
    return events.map((event, i) => ({ id: ids[i] ?? '', ...event }));
  }

  /**
   * A conversation ready to be opened by the next appendEvents, so that
   * opening it and its first events cost one write and one card rebuild.
   */
  prepareConversation(raw: unknown): PreparedConversation {
    const { subject, channel } = parseInput(conversationInput, raw);
    return { id: newConversationId(), subject, channel };
  }

  async openConversation(
    customerId: string,
    raw: unknown,
  ): Promise<Conversation> {
    const input = parseInput(conversationInput, raw);
    const id = newConversationId();
    const nowIso = new Date(this.now()).toISOString();
    const fields: Record<string, string> = {
      id,
      subject: input.subject,
      status: 'open',
      currentChannel: input.channel,
      channels: input.channel,
      createdAt: nowIso,
      updatedAt: nowIso,
      ...(input.agentId === undefined ? {} : { agentId: input.agentId }),
    };
    await this.writeConversation(customerId, id, 'new', fields);
    return decodeConversation(fields);
  }

  async updateConversation(
    customerId: string,
    conversationId: string,
    raw: unknown,
  ): Promise<Conversation> {
    const patch = parseInput(conversationPatch, raw);
    const key = keys.conversation(customerId, conversationId);
    const fields: Record<string, string> = {
      updatedAt: new Date(this.now()).toISOString(),
    };
    for (const [name, value] of Object.entries(patch)) {
      if (typeof value === 'string') {
        fields[name] = value;
      }
    }
    await this.writeConversation(
      customerId,
      conversationId,
      'existing',
      fields,
    );
    if (patch.agentId === null) {
      await this.redis.hdel(key, 'agentId');
      await this.refreshCard(customerId);
    }
    return decodeConversation(await this.redis.hgetall(key));
  }

  /** Files about customers that erasure and retention must reach too. */
  keepsFiles(files: CustomerFiles): void {
    this.files.push(files);
  }

  /** Removes everything stored about a customer; see erasure.ts. */
  erase(customerId: string): Promise<ErasureReceipt> {
    return eraseCustomer(this.redis, customerId, this.now, this.files);
  }

  sweepRetention(): Promise<RetentionReport> {
    return sweepRetention(
      this.redis,
      this.retentionCutoffMs(),
      (customerId) => this.refreshCard(customerId),
      this.files,
    );
  }

  async requireCustomer(customerId: string): Promise<void> {
    assertCustomerId(customerId);
    if ((await this.redis.exists(keys.customer(customerId))) === 0) {
      throw new BridgelineError('BL_ERR_CUSTOMER_NOT_FOUND');
    }
  }

  /** Takes back what an upsert wrote after losing an identity to a rival. */
  private async undoLinks(
    customerId: string,
    created: boolean,
    links: IdentityLink[],
    known: Record<string, string>,
  ): Promise<void> {
    if (created) {
      await this.redis.del(
        keys.customer(customerId),
        keys.identities(customerId),
        keys.card(customerId),
      );
      return;
    }
    const added = links
      .map(identityField)
      .filter((field) => known[field] === undefined);
    if (added.length > 0) {
      await this.redis.hdel(keys.identities(customerId), ...added);
      await this.refreshCard(customerId);
    }
  }

  /** Rebuilds the card after writes that no script made. */
  async refreshCard(customerId: string): Promise<void> {
    await this.redis.blRefreshCard(
      ...this.cardKeys(customerId),
      ...this.cardArgs(customerId),
    );
  }

  private cardKeys(customerId: string) {
    return [
      keys.customer(customerId),
      keys.identities(customerId),
      keys.conversations(customerId),
      keys.timeline(customerId),
      keys.card(customerId),
    ] as const;
  }

  private cardArgs(customerId: string) {
    return [
      keys.conversationPrefix(customerId),
      this.options.card.conversations,
      this.options.card.events,
      this.retentionCutoffMs(),
      this.options.timelineMaxAgeMs,
    ] as const;
  }

  private retentionCutoffMs(): number {
    return Math.max(0, this.now() - this.options.timelineMaxAgeMs);
  }

  private async writeConversation(
    customerId: string,
    conversationId: string,
    mode: 'new' | 'existing',
    fields: Record<string, string>,
  ): Promise<void> {
    assertCustomerId(customerId);
    await this.redis
      .blWriteConversation(
        ...this.cardKeys(customerId),
        keys.conversation(customerId, conversationId),
        ...this.cardArgs(customerId),
        mode,
        conversationId,
        this.now(),
        ...Object.entries(fields).flat(),
      )
      .catch(scriptError);
  }
}

/** An id with braces would break its keys' hash tag: it names nobody. */
function assertCustomerId(customerId: string): void {
  if (!customerIdPattern.test(customerId)) {
    throw new BridgelineError('BL_ERR_CUSTOMER_NOT_FOUND');
  }
}

function linkRecord(link: IdentityLink): string {
  const { verification, source, linkedAt } = link;
  return JSON.stringify({ verification, source, linkedAt });
}

/** Turns the scripts' refusals into the errors a user can act on. */
function scriptError(err: unknown): never {
  const message = err instanceof Error ? err.message : '';
  if (/\bNO_CUSTOMER\b/.test(message)) {
    throw new BridgelineError('BL_ERR_CUSTOMER_NOT_FOUND');
  }
  if (/\bNO_CONVERSATION\b/.test(message)) {
    throw new BridgelineError('BL_ERR_CONVERSATION_NOT_FOUND', {
      field: 'conversationId',
    });
  }
  throw err;
}
