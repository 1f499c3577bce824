import { once } from 'node:events';
import type { Srf as SrfInstance } from '../../src/types/drachtio-srf';
import { Srf } from '../../src/voice/sip/srf';
import { serveAsChild, type Served } from './server-child';

/**
 * The SIP phases' baseline: a drachtio-srf application that proxies every
 * INVITE to one fixed URI with fixed headers, as the edge proxies a known
 * caller to the IVR, but without looking at the request. The gap between
 * it and the edge is bridgeline's own work: the checks, the caller's
 * identity, the context lookup and the decision. It runs in a process of
 * its own, as the edge does.
 */

export interface ConstantStart {
  /** The drachtio-server port to connect to. */
  port: number;
  secret: string;
  uri: string;
  headers: Record<string, string>;
}

async function startConstantApp(options: ConstantStart): Promise<Served> {
  const srf: SrfInstance = new Srf();
  const { uri, headers } = options;
  srf.invite((req, res) => {
    // Record-Route, as the edge asks for in proxy mode (RFC 3261 §16.6).
    srf.proxyRequest(req, uri, { recordRoute: true, headers }).catch(() => {
      if (!res.finalResponseSent) {
        res.send(500);
      }
    });
  });
  const connected = once(srf, 'connect');
  srf.connect({
    host: '127.0.0.1',
    port: options.port,
    secret: options.secret,
    reconnect: { maxAttempts: 1 },
  });
  const [err] = (await connected) as [Error | null];
  if (err) {
    throw err;
  }
  return {
    port: options.port,
    close() {
      srf.disconnect();
      return Promise.resolve();
    },
  };
}

if (require.main === module) {
  serveAsChild(startConstantApp);
}
