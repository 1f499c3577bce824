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

  /** The module's export is also a REST client factory, unused here. */
  interface NodeClient {
    WebhookResponse: WebhookResponseClass;
  }

  const nodeClient: NodeClient;
  export = nodeClient;
}
