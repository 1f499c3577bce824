import { randomUUID } from 'node:crypto';
import type { SipSource } from './sip-messages';

/**
 * The drachtio wire protocol as drachtio-server writes it (src/client.cpp,
 * sip-dialog-controller.cpp, sip-proxy-controller.cpp), read against what
 * drachtio-srf's lib/wire-protocol.js and drachtio-agent.js parse. A frame
 * is `<bytes>#<payload>`; every payload starts `<msg id>|<type>|`, and SIP
 * follows the leader after a CRLF.
 */

export const CRLF = '\r\n';

export type Transport = 'udp' | 'tcp' | 'tls' | 'wss';

/** Splits a byte stream into payloads; the length counts bytes, not chars. */
export class FrameReader {
  private buffer = Buffer.alloc(0);

  push(chunk: Buffer): string[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const payloads: string[] = [];
    for (;;) {
      const hash = this.buffer.indexOf('#');
      if (hash <= 0) {
        return payloads;
      }
      const length = Number(this.buffer.toString('utf8', 0, hash));
      if (!Number.isInteger(length) || length <= 0) {
        throw new Error('invalid frame: missing length specifier');
      }
      const end = hash + 1 + length;
      if (this.buffer.length < end) {
        return payloads;
      }
      payloads.push(this.buffer.toString('utf8', hash + 1, end));
      this.buffer = this.buffer.subarray(end);
    }
  }
}

export interface Payload {
  msgId: string;
  type: string;
  tokens: string[];
  /** The SIP message after the leader, or ''. */
  sip: string;
}

export function parsePayload(payload: string): Payload {
  const cut = payload.indexOf(CRLF);
  const leader = cut === -1 ? payload : payload.slice(0, cut);
  const tokens = leader.split('|');
  return {
    msgId: tokens[0] ?? '',
    type: tokens[1] ?? '',
    tokens,
    sip: cut === -1 ? '' : payload.slice(cut + 2),
  };
}

/** A frame with a fresh message id of the server's own. */
export function frame(payload: string): string {
  const withId = `${randomUUID()}|${payload}`;
  return `${Buffer.byteLength(withId, 'utf8')}#${withId}`;
}

// drachtio-server stamps each message with the time it crossed the stack.
function clock(): string {
  return new Date().toISOString().slice(11, 23);
}

/**
 * SipMsgData_t::toMessageFormat: `<source>|<bytes>|<transport>|<address>|
 * <port>|<time>`.
 */
function meta(
  origin: 'network' | 'application',
  sip: string,
  transport: Transport,
  peer: SipSource,
): string {
  const bytes = Buffer.byteLength(sip, 'utf8');
  return [origin, bytes, transport, peer.address, peer.port, clock()].join('|');
}

/**
 * A request from the network for the application: `sip|<meta>|<transaction
 * id>|<dialog id>|<received on address>|<port>|` (sendSipMessageToClient).
 */
export function incomingRequest(
  sip: string,
  transport: Transport,
  source: SipSource,
  transactionId: string,
): string {
  const leader = meta('network', sip, transport, source);
  return `sip|${leader}|${transactionId}||127.0.0.1|5060|${CRLF}${sip}`;
}

/** The acknowledgement of a message the application sent, or its failure. */
export function reply(msgId: string, text: string): string {
  return `response|${msgId}|${text}`;
}

/**
 * The acknowledgement of a response the application sent: the response as
 * it went on the wire (doRespondToSipRequest, "Msg sent:").
 */
export function responseSent(
  msgId: string,
  sip: string,
  transport: Transport,
  to: SipSource,
  transactionId: string,
): string {
  const leader = meta('application', sip, transport, to);
  const text = `OK|${leader}|${transactionId}|||Msg sent:|${CRLF}${sip}`;
  return reply(msgId, text);
}

/**
 * A proxy's progress: each final response from a target, marked `continue`
 * so the application keeps listening, then `done` (sip-proxy-controller.cpp
 * with fullResponse).
 */
export function proxyResult(
  msgId: string,
  sip: string,
  target: SipSource,
): string[] {
  const leader = meta('network', sip, 'udp', target);
  return [
    reply(msgId, `OK|${leader}|||continue${CRLF}${sip}`),
    reply(msgId, 'OK|done'),
  ];
}
