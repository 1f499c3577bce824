import { createHash } from 'node:crypto';
import type { RedisClient } from '../../redis/connect';
import type { ChatMessage } from './protocol';

/**
 * A conversation's chat messages, in a Redis stream of its own: what a
 * visitor is shown on reload and what a dropped connection catches up
 * from. Entry ids are `0-<seq>` (XADD with `0-*`, Redis 7), so the
 * sequence a browser counts by is the stream's own and needs no counter.
 * Every key carries the customer's hash tag, so erasure takes them all.
 */

export const chatKeys = {
  transcript: (customerId: string, conversationId: string) =>
    `chat:{${customerId}}:${conversationId}`,
  /** Browser message id -> seq: a frame sent again is stored once. */
  seen: (customerId: string, conversationId: string) =>
    `chat:{${customerId}}:${conversationId}:ids`,
  /** The conversation a visitor's chat continues. */
  session: (customerId: string, visitorId: string) =>
    `chat:{${customerId}}:visitor:${visitorId}`,
  /** Messages a visitor sent in the current minute. */
  rate: (customerId: string, visitorId: string) =>
    `chat:{${customerId}}:rate:${visitorId}`,
};

/** Pub/sub channels; not keys, so they need no hash tag. */
export const chatChannels = {
  /** Everything said in a conversation: the visitor's sockets listen. */
  conversation: (customerId: string, conversationId: string) =>
    `chat-live:${customerId}:${conversationId}`,
  /** Every visitor message: agent API consumers listen. */
  inbound: 'chat-live:inbound',
};

// KEYS: transcript, seen ids, rate counter. ARGV: browser id (or empty),
// the message JSON without seq, the per-minute limit (0: none), ttl s,
// max entries. Answers
// {1, seq} stored, {0, seq} already stored, {-1, 0} over the rate.
const appendScript = `
if ARGV[1] ~= '' then
  local seen = redis.call('HGET', KEYS[2], ARGV[1])
  if seen then return {0, tonumber(seen)} end
end
local limit = tonumber(ARGV[3])
if limit > 0 then
  local sent = redis.call('INCR', KEYS[3])
  if sent == 1 then redis.call('EXPIRE', KEYS[3], 60) end
  if sent > limit then return {-1, 0} end
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[5], '0-*',
  'm', ARGV[2])
local seq = tonumber(string.sub(id, 3))
redis.call('EXPIRE', KEYS[1], ARGV[4])
if ARGV[1] ~= '' then
  redis.call('HSET', KEYS[2], ARGV[1], seq)
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
return {1, seq}
`;
const appendSha = createHash('sha1').update(appendScript).digest('hex');

export type AppendOutcome =
  { status: 'stored' | 'duplicate'; seq: number } | { status: 'rate-limited' };

export interface AppendOptions {
  /** The browser's id, for a visitor message; replies have none. */
  clientId?: string;
  /** Counted against this visitor's messages per minute. */
  rate?: { visitorId: string; perMinute: number };
}

// A conversation's chat keeps this many messages; a flood within the rate
// limit still cannot grow one without bound.
const maxMessages = 5000;

export class Transcripts {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttlSeconds: number,
  ) {}

  /** Stores a message once, or counts it as over the rate and not. */
  async append(
    message: Omit<ChatMessage, 'seq'>,
    options: AppendOptions,
  ): Promise<AppendOutcome> {
    const { customerId, conversationId } = message;
    const keys = [
      chatKeys.transcript(customerId, conversationId),
      chatKeys.seen(customerId, conversationId),
      chatKeys.rate(customerId, options.rate?.visitorId ?? ''),
    ];
    const args = [
      options.clientId ?? '',
      JSON.stringify(message),
      options.rate?.perMinute ?? 0,
      this.ttlSeconds,
      maxMessages,
    ];
    const [code, seq] = (await this.evaluate(keys, args)) as [number, number];
    if (code === -1) {
      return { status: 'rate-limited' };
    }
    return { status: code === 1 ? 'stored' : 'duplicate', seq };
  }

  /** The messages after `afterSeq`, oldest first, at most `limit`. */
  async after(
    customerId: string,
    conversationId: string,
    afterSeq: number,
    limit = 1000,
  ): Promise<ChatMessage[]> {
    const entries = await this.redis.xrange(
      chatKeys.transcript(customerId, conversationId),
      `(0-${afterSeq}`,
      '+',
      'COUNT',
      limit,
    );
    return entries.map(([id, fields]) => ({
      seq: Number(id.slice(2)),
      ...(JSON.parse(fields[1] ?? '{}') as Omit<ChatMessage, 'seq'>),
    }));
  }

  /** Tells the live watchers (live.ts) of a stored message. */
  async publish(message: ChatMessage, channels: string[]): Promise<void> {
    const payload = JSON.stringify(message);
    await Promise.all(
      channels.map((channel) => this.redis.publish(channel, payload)),
    );
  }

  /** One more write this minute; false once past `perMinute`. */
  async countMessage(rateKey: string, perMinute: number): Promise<boolean> {
    const [[, sent] = []] =
      (await this.redis
        .multi()
        .incr(rateKey)
        .expire(rateKey, 60, 'NX')
        .exec()) ?? [];
    return Number(sent) <= perMinute;
  }

  async sessionOf(
    customerId: string,
    visitorId: string,
  ): Promise<string | undefined> {
    const found = await this.redis.get(chatKeys.session(customerId, visitorId));
    return found ?? undefined;
  }

  async keepSession(
    customerId: string,
    visitorId: string,
    conversationId: string,
  ): Promise<void> {
    await this.redis.set(
      chatKeys.session(customerId, visitorId),
      conversationId,
      'EX',
      this.ttlSeconds,
    );
  }

  // EVALSHA keeps the script off the wire; the first call on a server
  // that has not seen it yet sends it whole.
  private async evaluate(
    keys: string[],
    args: (string | number)[],
  ): Promise<unknown> {
    try {
      return await this.redis.evalsha(appendSha, keys.length, ...keys, ...args);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('NOSCRIPT')) {
        return this.redis.eval(appendScript, keys.length, ...keys, ...args);
      }
      throw err;
    }
  }
}
