import type { CallerCard } from '../../context/card';
import type { EventInput } from '../../context/events';
import { otherOpenConversations, type ConditionFacts } from '../conditions';
import type { Flow } from '../flow';
import { renderTemplate, type TemplateValues } from '../template';
import type {
  CallState,
  Effect,
  JambonzVerb,
  PublishedFlow,
  StepContext,
} from '../types';
import { sayVerb, type Voice } from './speech';

// The limits of an ivr.step event's fields (src/context/events.ts).
const PROMPT_MAX = 2000;
const INPUT_MAX = 256;

/** What one node did in this step, for its ivr.step event. */
interface Passage {
  node: string;
  /** The node's flow: a subflow or return node switches flows midway. */
  flowId: string;
  prompts: string[];
  input?: string;
  /** Events of the node's own, recorded after its ivr.step. */
  more: EventInput[];
}

/**
 * One step of one call: the verbs and events it gathers as it passes
 * through nodes, the call state it changes, and what nodes may ask of it
 * (the caller's voice, rendered prompts, the action hook URL).
 */
export class Turn {
  readonly verbs: JambonzVerb[] = [];
  readonly events: EventInput[] = [];
  /** Why the step apologised and hung up, when it did. */
  fault: string | undefined;
  /** What a node needs done before it can go on; see Effect. */
  effect: Effect | undefined;
  private passage: Passage | undefined;
  /** The node running now, whose action hook its verbs carry. */
  private current = '';
  private readonly fixed: TemplateValues['fixed'];
  /** The flows this step has run in, so a return finds its caller. */
  private readonly seen: PublishedFlow[];

  constructor(
    public flow: Flow,
    readonly state: CallState,
    readonly context: StepContext,
  ) {
    this.fixed = templateFacts(context.card, state.conversationId);
    this.seen = [{ flow, version: state.flowVersion }];
  }

  /** A node starts its part; `entered` is false when it resumes. */
  pass(nodeId: string, entered: boolean): void {
    this.finish();
    if (entered) {
      // Node ids are unique per flow; inside a subflow the path says which.
      const inSubflow = this.state.stack.length > 0;
      this.state.path.push(inSubflow ? `${this.flow.id}/${nodeId}` : nodeId);
    }
    this.passage = {
      node: nodeId,
      flowId: this.flow.id,
      prompts: [],
      more: [],
    };
    this.current = nodeId;
  }

  /** The node's part is over: one ivr.step event records it. */
  finish(): void {
    const passage = this.passage;
    if (!passage) {
      return;
    }
    this.passage = undefined;
    const prompt = passage.prompts.join(' ').slice(0, PROMPT_MAX);
    this.events.push({
      type: 'ivr.step',
      at: this.context.now.toISOString(),
      callSid: this.state.callSid,
      flowId: passage.flowId,
      node: passage.node,
      ...(prompt === '' ? {} : { prompt }),
      ...(passage.input === undefined ? {} : { input: passage.input }),
      ...this.conversation(),
    });
    this.events.push(...passage.more);
  }

  /** Timeline events carry the call's conversation when it has one. */
  conversation(): { conversationId?: string } {
    const id = this.state.conversationId;
    return id === undefined ? {} : { conversationId: id };
  }

  /** A node's language and voice, or the flow's. */
  voice(node: {
    language?: string | undefined;
    voice?: string | undefined;
  }): Voice {
    const voice: Voice = { language: node.language ?? this.flow.language };
    const name = node.voice ?? this.flow.voice;
    if (name !== undefined) {
      voice.voice = name;
    }
    return voice;
  }

  /** A prompt template filled with the caller's facts and flow variables. */
  render(template: string): string {
    return renderTemplate(template, {
      fixed: this.fixed,
      vars: this.state.vars,
    });
  }

  /** Renders a prompt, queues a say verb for it and returns the text. */
  say(template: string, voice: Voice): string {
    const text = this.render(template);
    this.verbs.push(sayVerb(text, voice));
    this.spoken(text);
    return text;
  }

  /** Notes text the caller hears from a verb other than say (a gather's). */
  spoken(text: string): void {
    this.passage?.prompts.push(text);
  }

  /** Notes what the caller pressed or said, for the timeline. */
  heard(input: string): void {
    if (this.passage && input !== '') {
      this.passage.input = input.slice(0, INPUT_MAX);
    }
  }

  /** Records an event of the running node's own, such as a voicemail. */
  attach(event: EventInput): void {
    this.passage?.more.push(event);
  }

  /**
   * The running node's action hook: relative, so jambonz resolves it against
   * the application's call webhook (jambonz docs, "actionHook").
   */
  hook(): string {
    return `/jambonz/action/${this.current}`;
  }

  facts(): ConditionFacts {
    return {
      card: this.context.card,
      vars: this.state.vars,
      now: this.context.now,
      ownConversationId: this.state.conversationId,
    };
  }

  /** A flow by id: the live one, or exactly `version` when given. */
  findFlow(flowId: string, version?: number): PublishedFlow | undefined {
    const seen = this.seen.find(
      (known) => known.flow.id === flowId && known.version === version,
    );
    return seen ?? this.context.flows(flowId, version);
  }

  /** Carries on in another flow (a subflow, or the flow a return goes to). */
  switchTo(published: PublishedFlow): void {
    this.seen.push(published);
    this.flow = published.flow;
    this.state.flowId = published.flow.id;
    this.state.flowVersion = published.version;
  }
}

/** What a prompt may say about the caller, from their context card. */
function templateFacts(
  card: CallerCard | undefined,
  ownConversationId: string | undefined,
): TemplateValues['fixed'] {
  if (!card) {
    return {};
  }
  const { name, tier, language } = card.customer;
  const latest = otherOpenConversations(card, ownConversationId)[0];
  const firstName = name?.trim().split(/\s+/)[0];
  return {
    ...(name === undefined ? {} : { 'customer.name': name }),
    ...(firstName === undefined ? {} : { 'customer.firstName': firstName }),
    ...(tier === undefined ? {} : { 'customer.tier': tier }),
    ...(language === undefined ? {} : { 'customer.language': language }),
    ...(latest === undefined
      ? {}
      : {
          'conversation.subject': latest.subject,
          'conversation.channel': latest.currentChannel,
        }),
  };
}
