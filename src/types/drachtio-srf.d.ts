/**
 * The parts of drachtio-srf 5.0.29 bridgeline uses, declared from its
 * source (lib/srf.js, lib/request.js, lib/response.js, lib/connect.js):
 * the bundled lib/@types types connect() as taking no TLS or reconnect
 * options and returning a Promise, lack register() and options(), and use
 * `any` throughout. src/voice/sip/srf.ts applies these to the library once.
 */
import type { EventEmitter } from 'node:events';
import type { ConnectionOptions } from 'node:tls';

export interface SrfConnectOptions {
  host: string;
  port: number;
  secret: string;
  /** tls.connect() options; absent: plain TCP. */
  tls?: ConnectionOptions;
  reconnect?: {
    /** 1 turns drachtio-srf's own reconnecting off. */
    maxAttempts?: number;
    retryMaxDelay?: number;
  };
}

/** An incoming request (lib/request.js delegating to its SipMessage). */
export interface SipRequest extends EventEmitter {
  readonly method: string;
  readonly uri: string;
  readonly source: 'network' | 'application';
  readonly source_address: string;
  readonly source_port: number;
  readonly protocol: string;
  readonly body: string;
  /** The message as drachtio-server delivered it (SipMessage#raw). */
  readonly raw: string;
  /** The header's value, repeated headers joined by commas. */
  get(name: string): string | undefined;
  has(name: string): boolean;
  on(event: 'cancel', listener: () => void): this;
}

export interface SipResponseOptions {
  headers?: Record<string, string>;
  body?: string;
}

export interface SipResponse {
  readonly finalResponseSent: boolean;
  send(status: number, options?: SipResponseOptions): void;
  send(status: number, reason: string, options?: SipResponseOptions): void;
}

export interface ProxyOptions {
  /** Stays in the dialog through Record-Route (RFC 3261 §16.6 step 4). */
  recordRoute?: boolean;
  followRedirects?: boolean;
  forking?: 'sequential' | 'simultaneous';
  provisionalTimeout?: string;
  finalTimeout?: string;
  headers?: Record<string, string>;
}

export interface ProxyResult {
  connected: boolean;
  finalStatus?: number;
}

export type SipHandler = (req: SipRequest, res: SipResponse) => void;

export interface Srf extends EventEmitter {
  connect(options: SrfConnectOptions): unknown;
  /** Ends the connection to drachtio-server; throws when there is none. */
  disconnect(): void;
  invite(handler: SipHandler): void;
  register(handler: SipHandler): void;
  options(handler: SipHandler): void;
  proxyRequest(
    req: SipRequest,
    destination: string | string[],
    options: ProxyOptions,
  ): Promise<ProxyResult>;
  on(
    event: 'connect',
    listener: (err: Error | null, hostport: string) => void,
  ): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'close' | 'reconnecting', listener: () => void): this;
}

export type SrfConstructor = new () => Srf;
