import { Cluster } from 'ioredis';
import type { RedisClient } from '../redis/connect';
import { callerSections, cardSections } from './card-lua';
import { identityField, type IdentityRef } from './identity';
import { customerIdPattern, keys } from './keys';

/** The whole card, or the caller's: the card without its timeline. */
export type CardShape = 'whole' | 'caller';

/**
 * Rebuilds a customer's card in Redis: [card, matchedBy], or null for a
 * customer who is gone. The store owns the keys and arguments it takes.
 */
export type CardRebuild = (
  customerId: string,
  matchedField: string,
) => Promise<[string, string] | null>;

/**
 * Reads the card Redis keeps ready (card-lua.ts) as JSON: what the HTTP API
 * and a screen-pop send on as it is, with no parse and no re-serialising. On
 * a standalone or Sentinel server, one script reads the identity and the
 * card: one round trip. A Cluster keeps the identity in another slot, so
 * there it is a GET, then the card's HMGET.
 */
export class CardReader {
  constructor(
    private readonly redis: RedisClient,
    private readonly now: () => number,
    private readonly rebuild: CardRebuild,
  ) {}

  async byIdentity(
    ref: IdentityRef,
    shape: CardShape,
  ): Promise<string | undefined> {
    const identity = keys.identity(ref.kind, ref.value);
    const field = identityField(ref);
    if (this.redis instanceof Cluster) {
      const customerId = await this.redis.get(identity);
      return customerId === null
        ? undefined
        : this.byId(customerId, field, shape);
    }
    const found = await this.redis.blCardByIdentity(
      identity,
      ...cardKeyAround,
      ...cardFields(field, shape),
    );
    if (found === null) {
      return undefined;
    }
    const [customerId, ...fields] = found;
    return this.ready(customerId, field, fields);
  }

  async byId(
    customerId: string,
    matchedField: string,
    shape: CardShape,
  ): Promise<string | undefined> {
    if (!customerIdPattern.test(customerId)) {
      return undefined;
    }
    const fields = await this.redis.hmget(
      keys.card(customerId),
      ...cardFields(matchedField, shape),
    );
    return this.ready(customerId, matchedField, fields);
  }

  /**
   * The card from its fields as read (cardFields' order), or rebuilt when
   * it is missing or past its `until`; a rebuilt one is whole.
   */
  private async ready(
    customerId: string,
    matchedField: string,
    fields: (string | null)[],
  ): Promise<string | undefined> {
    // A caller card reads no timeline: the field is absent, not null.
    const [
      until = null,
      matched = null,
      head = null,
      conversations = null,
      timeline,
    ] = fields;
    const fresh =
      head !== null &&
      conversations !== null &&
      timeline !== null &&
      (until === null || Number(until) > this.now());
    if (fresh) {
      const json =
        timeline === undefined
          ? callerSections(head, conversations)
          : cardSections(head, conversations, timeline);
      return withMatch(json, matched);
    }
    if (!customerIdPattern.test(customerId)) {
      return undefined;
    }
    const rebuilt = await this.rebuild(customerId, matchedField);
    return rebuilt ? withMatch(rebuilt[0], rebuilt[1]) : undefined;
  }
}

/** What a lookup reads of the card hash; see card-lua.ts. */
function cardFields(matchedField: string, shape: CardShape): string[] {
  const fields = ['until', `m:${matchedField}`, 'head', 'conversations'];
  return shape === 'whole' ? [...fields, 'timeline'] : fields;
}

/** The card's key split around the customer id, for the lookup script. */
const cardKeyAround = keys.card('\n').split('\n') as [string, string];

/** The card with the identity a lookup came in by, when it has one. */
function withMatch(card: string, matched: string | null): string {
  return matched ? `${card.slice(0, -1)},"matchedBy":${matched}}` : card;
}
