/**
 * The part of @jambonz/node-client (0.4.11, plain JavaScript) that
 * bridgeline uses. WebhookResponse checks each verb against jambonz's verb
 * specifications as it is added and throws on an invalid one.
 */
declare module '@jambonz/node-client' {
  interface WebhookVerb {
    verb: string;
    [property: string]: unknown;
  }

  interface SaySynthesizer {
    vendor?: string;
    language?: string;
    voice?: string;
  }

  interface WebhookResponse {
    /** How many verbs have been added. */
    readonly length: number;
    addVerb(verb: string, payload: Record<string, unknown>): this;
    say(payload: {
      text: string | string[];
      synthesizer?: SaySynthesizer;
      loop?: number | string;
      earlyMedia?: boolean;
    }): this;
    hangup(payload?: { headers?: Record<string, string> }): this;
    /** The verb array jambonz expects as a webhook's JSON response. */
    toJSON(): WebhookVerb[];
  }

  /** The Express request parts jambonz's own signature check reads. */
  interface SignedRequest {
    get(header: string): string | undefined;
    /** The body as received; a parsed object is re-serialised first. */
    body: unknown;
    url?: string;
  }

  interface WebhookResponseClass {
    new (): WebhookResponse;
    /** Express middleware: calls next(), or throws when the check fails. */
    verifyJambonzSignature(
      secret: string | string[],
    ): (request: SignedRequest, response: unknown, next: () => void) => void;
  }

  /** A webhook jambonz calls: a URL, or one with its method and auth. */
  type RestHook =
    | string
    | {
        url: string;
        method?: 'GET' | 'POST';
        username?: string;
        password?: string;
      };

  /** Who an outbound call rings (jambonz docs, "Create a call"). */
  type CallTarget =
    | { type: 'phone'; number: string; trunk?: string }
    | {
        type: 'sip';
        sipUri: string;
        auth?: { username: string; password: string };
      }
    | { type: 'user'; name: string }
    | { type: 'teams'; number: string; tenant?: string; vmail?: boolean };

  /** POST /v1/Accounts/:sid/Calls; either an application or a call hook. */
  interface CallCreateOptions {
    from: string;
    to: CallTarget;
    application_sid?: string;
    call_hook?: RestHook;
    /** Required by the client whenever call_hook is given. */
    call_status_hook?: RestHook;
    caller_name?: string;
    /** Seconds to ring before giving up. */
    timeout?: number;
    /** Handed back in every webhook of the call. */
    tag?: Record<string, string | number | boolean>;
    headers?: Record<string, string>;
  }

  /** PUT /v1/Accounts/:sid/Calls/:callSid; at least one of these. */
  interface CallUpdateOptions {
    call_hook?: RestHook;
    child_call_hook?: RestHook;
    call_status?: 'completed' | 'no-answer';
    listen_status?: 'pause' | 'resume';
    mute_status?: 'mute' | 'unmute';
    conf_mute_status?: 'mute' | 'unmute';
    conf_hold_status?: 'hold' | 'unhold';
    whisper?: WebhookVerb;
    sip_request?: {
      method: string;
      content_type?: string;
      content?: string;
      headers?: Record<string, string>;
    };
    tag?: Record<string, string | number | boolean>;
  }

  /** POST /v1/Accounts/:sid/Messages (jambonz docs, "Create a message"). */
  interface MessageCreateOptions {
    /** The sending number, E.164. */
    from: string;
    to: string;
    text: string;
    /** URLs of media for an MMS. */
    media?: string[];
    /** The messaging carrier to send through, else the account's default. */
    provider?: string;
  }

  /**
   * The REST resources. `create` resolves with the new sid. It rejects with
   * bent's StatusError (carrying `statusCode` and `json()`) on any status
   * but 201, which includes the 200 jambonz answers a created message with.
   */
  interface RestClient {
    calls: {
      create(options: CallCreateOptions): Promise<string>;
      update(callSid: string, options: CallUpdateOptions): Promise<void>;
    };
    messages: {
      create(options: MessageCreateOptions): Promise<string>;
    };
  }

  interface NodeClient {
    /** A REST client; `baseUrl` gets `/v1/` appended when it lacks it. */
    (
      accountSid: string,
      apiKey: string,
      options: { baseUrl: string },
    ): RestClient;
    WebhookResponse: WebhookResponseClass;
  }

  const nodeClient: NodeClient;
  export = nodeClient;
}
