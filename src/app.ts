import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { setUpAgentSide, type AgentSide } from './agents/setup';
import { setUpChannels, type Channels } from './channels/setup';
import type { Config } from './config';
import { resolveLinkSecret } from './escalation/link-secret';
import { ContextStore } from './context/store';
import { buildServer } from './http/server';
import { loadShippedFlows } from './ivr/flow-loader';
import { FlowStore } from './ivr/flow-store';
import { checkScenarioText } from './ivr/scenarios';
import type { Logger } from './log';
import { createMetrics } from './metrics';
import {
  createRedisClient,
  waitForReady,
  type RedisClient,
} from './redis/connect';
import { EmbeddedRedis } from './redis/embedded';
import { setUpQueueRouting } from './voice/queue-setup';
import { setUpVoice } from './voice/setup';
import { createSipEdge, type SipEdge } from './voice/sip/edge';

/** Flows shipped with bridgeline; the flow store loads them on first start. */
const shippedFlowsDir = path.join(__dirname, '..', 'ivr-flows');

export interface Bridgeline {
  /** The HTTP port actually bound (PORT=0 picks a free one). */
  port: number;
  store: ContextStore;
  redis: RedisClient;
  embeddedRedis: EmbeddedRedis | undefined;
  /** The SIP edge; state 'off' while DRACHTIO_HOST is unset. */
  sip: SipEdge;
  /** Chat, SMS, email, links and callbacks. */
  channels: Channels;
  /** Accounts, the ACD and the agent desktop. */
  agents: AgentSide;
  /** Stops in order: new work, in-flight requests, timers, Redis last. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** The clock for the IVR and the store; tests set the hour of a call. */
  now?: () => Date;
}

export async function startBridgeline(
  config: Config,
  logger: Logger,
  options: StartOptions = {},
): Promise<Bridgeline> {
  const now = options.now ?? (() => new Date());
  const embeddedRedis =
    config.redis.mode === 'embedded'
      ? await EmbeddedRedis.start({
          dataDir: config.dataDir,
          serverBin: config.redis.serverBin,
          logger: logger.child({ component: 'redis' }),
        })
      : undefined;
  const target =
    config.redis.mode === 'embedded'
      ? { mode: 'standalone' as const, url: embeddedRedis?.url ?? '' }
      : config.redis;
  const redis = createRedisClient(target);
  redis.on('error', (err: Error) => {
    logger.warn({ err: err.message }, 'redis connection error');
  });
  await waitForReady(redis);

  const store = new ContextStore(redis, {
    phoneDefaultRegion: config.phoneDefaultRegion,
    timelineMaxAgeMs: config.retention.timelineMaxAgeMs,
    card: config.card,
    now: () => now().getTime(),
  });
  const metrics = createMetrics();
  const adminToken = await resolveAdminToken(config, logger);
  const flows = new FlowStore(redis, {
    phoneDefaultRegion: config.phoneDefaultRegion,
    transferAllowlist: config.voice.transferAllowlist,
    logger,
    // Publishing runs the flow's scenarios; a flow without any has none
    // to fail.
    checkScenarios: (flow, scenarios) =>
      Promise.resolve(
        scenarios === undefined
          ? []
          : checkScenarioText(flow, scenarios, {
              transferAllowlist: config.voice.transferAllowlist,
            }),
      ),
  });
  await loadShippedFlows(flows, shippedFlowsDir, logger).catch(
    (err: unknown) => {
      logger.error({ err }, 'shipped flows not loaded');
    },
  );
  // Known once the port is bound: PORT=0 picks one.
  let publicBaseUrl = config.voice.publicBaseUrl ?? '';
  const channels = setUpChannels({
    config,
    store,
    redis,
    flows,
    logger,
    registry: metrics.registry,
    adminToken,
    linkSecret: await resolveLinkSecret(
      config.channels.links.secret,
      config.dataDir,
      logger,
    ),
    publicBaseUrl: () => publicBaseUrl,
    now,
  });
  const agents = setUpAgentSide({
    config,
    redis,
    store,
    channels,
    logger,
    now,
  });
  // Calls reach agents through the ACD; offers hook in after the pop.
  const queueRouting = setUpQueueRouting({
    agents,
    redis,
    store,
    sipDomain: config.sip.domain,
    jambonzApi: config.channels.jambonzApi,
    ttlSeconds: config.voice.callStateTtlSeconds,
    publicBaseUrl: () => publicBaseUrl,
    logger,
  });
  const voice = setUpVoice({
    webhookSecret: config.voice.webhookSecret,
    transferAllowlist: config.voice.transferAllowlist,
    callStateTtlSeconds: config.voice.callStateTtlSeconds,
    redis,
    store,
    flows,
    dataDir: config.dataDir,
    adminToken,
    publicBaseUrl: () => publicBaseUrl,
    now,
    capabilities: channels.capabilities,
    ...(channels.placedCalls ? { placedCalls: channels.placedCalls } : {}),
    queueRouting,
  });
  const sip = createSipEdge({
    settings: config.sip,
    store,
    redis,
    logger,
    registry: metrics.registry,
  });
  const app = buildServer({
    accounts: agents.accounts,
    acd: agents.acd,
    desktop: agents.desktop,
    sipState: () => sip.state,
    trustedProxies: config.trustedProxies,
    logger,
    store,
    redis,
    redisMode: config.redis.mode,
    metrics,
    adminToken,
    flowStore: flows,
    voice,
    channels,
  });
  await app.listen({ port: config.port, host: config.host });
  const { port } = app.server.address() as AddressInfo;
  publicBaseUrl ||= `http://localhost:${port}`;
  await channels.start();
  await agents.start();

  const sweeper = setInterval(() => {
    store.sweepRetention().then(
      (report) => {
        logger.info(report, 'retention sweep done');
      },
      (err: unknown) => {
        logger.warn({ err }, 'retention sweep failed');
      },
    );
  }, config.retention.sweepIntervalMs);
  sweeper.unref();

  if (config.sip.drachtio === undefined) {
    logger.info('SIP edge off: DRACHTIO_HOST is not set');
  } else {
    sip.start();
  }

  logger.info({ port, redis: config.redis.mode }, 'bridgeline started');

  return {
    port,
    store,
    redis,
    embeddedRedis,
    sip,
    channels,
    agents,
    async close() {
      // Calls first: no new INVITE is taken while the rest winds down.
      await sip.stop();
      clearInterval(sweeper);
      await app.close();
      // Desktops were closed with the server; offers stop timing out.
      await agents.close();
      // Chats were closed with the server; the SMTP listener and the
      // callback worker finish what they hold before Redis goes.
      await channels.close();
      // Closing the server closed the voicemail streams; let their files finish.
      await voice.recordings.drain();
      await redis.quit().catch(() => undefined);
      await embeddedRedis?.stop(config.shutdownGraceMs);
      logger.info('bridgeline stopped');
    },
  };
}

/**
 * ADMIN_TOKEN when set; otherwise a token kept in DATA_DIR/admin-token,
 * created on first start, so a new install is never left open.
 */
async function resolveAdminToken(
  config: Config,
  logger: Logger,
): Promise<string> {
  if (config.adminToken !== undefined) {
    return config.adminToken;
  }
  const file = path.join(config.dataDir, 'admin-token');
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    const token = randomBytes(24).toString('base64url');
    await fs.mkdir(config.dataDir, { recursive: true });
    await fs.writeFile(file, `${token}\n`, { mode: 0o600 });
    logger.info({ file }, 'admin token created; ADMIN_TOKEN overrides it');
    return token;
  }
}
