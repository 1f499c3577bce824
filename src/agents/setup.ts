import { setUpChannelRouting } from '../channels/routing';
import type { Channels } from '../channels/setup';
import type { Config } from '../config';
import type { ContextStore } from '../context/store';
import type { Logger } from '../log';
import type { RedisClient } from '../redis/connect';
import type { Account } from './accounts';
import { setUpAccounts, type AccountServices } from './account-setup';
import { setUpAcd, type Acd, type AcdHooks } from './acd';
import { sessionDesktopAuth, setUpDesktop, type Desktop } from './desktop';

/**
 * The agent side, assembled: accounts and sessions, the ACD that routes
 * contacts to them, and the desktop that pops each contact's context
 * before it is offered. Built in the order each needs the others: the
 * desktop's hooks go into the ACD, and every account change reaches the
 * ACD's view of that agent.
 */

export interface AgentSide {
  accounts: AccountServices;
  acd: Acd;
  desktop: Desktop;
  /**
   * Adds what another part must do when the ACD offers, withdraws or
   * re-queues (a call to be put through to the agent, a conversation to
   * be given an agent); each runs after the desktop's, in the order added.
   */
  addHooks(hooks: Partial<AcdHooks>): void;
  /** After the HTTP port is bound. */
  start(): Promise<void>;
  /** After the HTTP server closed; before Redis closes. */
  close(): Promise<void>;
}

export interface AgentSideSetup {
  config: Config;
  redis: RedisClient;
  store: ContextStore;
  channels: Channels;
  logger: Logger;
  now: () => Date;
}

/** Admins run the place; agents and supervisors take contacts. */
const takesContacts = (account: Account) =>
  !account.disabled && account.role !== 'admin';

export function setUpAgentSide(setup: AgentSideSetup): AgentSide {
  const { config, redis, store, channels, logger } = setup;
  const line: { acd?: Acd } = {};
  const acdOf = (): Acd => {
    if (!line.acd) {
      throw new Error('the ACD is used before it is built');
    }
    return line.acd;
  };

  const accounts = setUpAccounts({
    config,
    redis,
    logger,
    now: setup.now,
    onChange: (account) =>
      takesContacts(account)
        ? acdOf().upsertAgent({
            id: account.id,
            skills: account.skills,
            queues: account.queues,
            maxChats: account.maxChats,
          })
        : acdOf().removeAgent(account.id),
  });

  const { sip } = config;
  const desktop = setUpDesktop({
    store,
    logger,
    auth: sessionDesktopAuth(config.voice.publicBaseUrl),
    acd: acdOf,
    sipDomain: sip.domain,
    ...(sip.webSocketUri === undefined ? {} : { sipWsUri: sip.webSocketUri }),
    sipUserOf: async (id) => (await accounts.accounts.find(id))?.sipUser,
    ...(channels.callbacks ? { callbacks: channels.callbacks } : {}),
    ...(channels.capabilities.handoff
      ? { handoff: channels.capabilities.handoff }
      : {}),
    liveChat: channels.chat.live,
  });
  // The desktop's onOffer publishes the screen-pop first: an enqueue
  // resolves only once the agent's desktop has it on its way.
  const added: Partial<AcdHooks>[] = [];
  const hooks: AcdHooks = {
    async onOffer(offer) {
      await desktop.hooks.onOffer(offer);
      for (const more of added) {
        await more.onOffer?.(offer);
      }
    },
    async onOfferGone(offer, why) {
      await desktop.hooks.onOfferGone(offer, why);
      for (const more of added) {
        await more.onOfferGone?.(offer, why);
      }
    },
    onQueueChange(queue) {
      desktop.hooks.onQueueChange(queue);
      for (const more of added) {
        more.onQueueChange?.(queue);
      }
    },
  };
  line.acd = setUpAcd({ redis, logger, hooks });
  const acd = line.acd;
  // Chats, SMS and emails go through the same queues as calls.
  setUpChannelRouting({
    channels,
    acd,
    addHooks: (more) => added.push(more),
    store,
    queues: config.channels.queues,
    logger,
  });

  return {
    accounts,
    acd,
    desktop,
    addHooks: (more) => {
      added.push(more);
    },
    start: () => desktop.start(),
    async close() {
      await acd.close();
      await desktop.close();
    },
  };
}
