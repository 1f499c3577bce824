import { once } from 'node:events';
import Srf from 'drachtio-srf';
import { DrachtioPeer } from '../support/drachtio-peer';
import {
  aRegister,
  aSource,
  anInvite,
  anOptions,
  headerParam,
  headerValue,
  headerValues,
  parseSip,
} from '../support/sip-messages';

/**
 * The test peer and the real drachtio-srf library understand each other:
 * a minimal drachtio-srf application, written here, is driven through the
 * peer exactly as it would be through drachtio-server.
 */

const secret = 'cymru-test-secret';
const ivr = 'sip:ivr@10.0.0.9:5070';
let peer: DrachtioPeer;
let srf: Srf;
const proxied: Promise<number | undefined>[] = [];

type ProxyOptions = Srf.ProxyRequestOptions & {
  headers: Record<string, string>;
};

function finalStatus(results: unknown): number | undefined {
  if (
    typeof results === 'object' &&
    results !== null &&
    'finalStatus' in results &&
    typeof results.finalStatus === 'number'
  ) {
    return results.finalStatus;
  }
  return undefined;
}

function aTestApp(): Srf {
  const app = new Srf();
  app.invite((req, res) => {
    if (req.has('X-Test-Drop')) {
      return;
    }
    if (req.has('X-Test-Proxy')) {
      const options: ProxyOptions = {
        recordRoute: true,
        headers: { 'X-Bridgeline-Customer': 'cus_123' },
      };
      proxied.push(
        new Promise((resolve) => {
          app.proxyRequest(req, [ivr], options, (err, results) => {
            resolve(err ? undefined : finalStatus(results));
          });
        }),
      );
      return;
    }
    res.send(486);
  });
  app.use('options', (_req, res) => {
    res.send(200, { headers: { Allow: 'INVITE, ACK, CANCEL, OPTIONS' } });
  });
  app.use('register', (_req, res) => {
    res.send(401, {
      headers: { 'WWW-Authenticate': 'Digest realm="test", nonce="abc"' },
    });
  });
  return app;
}

beforeAll(async () => {
  peer = await DrachtioPeer.start({ secret });
  srf = aTestApp();
  const connected = once(srf, 'connect');
  void srf.connect({ host: '127.0.0.1', port: peer.port, secret });
  const [err, hostport] = (await connected) as [Error | null, string];
  expect(err).toBeNull();
  expect(hostport).toContain('udp/127.0.0.1:5060');
  await peer.connected();
});

afterAll(async () => {
  srf.disconnect();
  await peer.close();
});

describe('the drachtio-server test peer', () => {
  describe('when an application connects', () => {
    it('routes the methods the application handles', () => {
      expect([...peer.routes].sort()).toEqual([
        'invite',
        'options',
        'register',
      ]);
    });

    it('refuses an application with the wrong secret', async () => {
      const intruder = new Srf();
      intruder.on('error', () => undefined);
      const refused = peer.refused();
      const connected = once(intruder, 'connect');
      void intruder.connect({
        host: '127.0.0.1',
        port: peer.port,
        secret: 'wrong',
        // One attempt only: the peer closes the connection, as the server does.
        reconnect: { maxAttempts: 1 },
      } as Srf.SrfConfig);
      const [err] = (await connected) as [Error | null];
      await refused;
      expect(err?.message).toBe('failed to authenticate to server');
    });
  });

  describe('when the application answers a request', () => {
    it('returns the answer with the transaction headers echoed', async () => {
      const raw = anInvite({ source: aSource() });
      const request = parseSip(raw);
      const answer = await peer.send(raw);

      if (answer.kind !== 'response') {
        throw new Error(`expected a response, got ${answer.kind}`);
      }
      const { final } = answer;
      expect(final.status).toBe(486);
      expect(final.reason).toBe('Busy Here');
      expect(headerValues(final.message, 'via')).toEqual(
        headerValues(request, 'via'),
      );
      for (const name of ['from', 'call-id', 'cseq']) {
        expect(final.header(name)).toBe(headerValue(request, name));
      }
      const to = final.header('to') ?? '';
      expect(to.startsWith(headerValue(request, 'to') ?? '-')).toBe(true);
      expect(headerParam(to, 'tag')).toMatch(/\w+/);
    });

    it('counts frame lengths in bytes, so UTF-8 in a message arrives whole', async () => {
      const raw = anInvite({ extraHeaders: [['Subject', 'Grüße, Zoë ☎']] });
      const answer = await peer.send(raw);
      expect(answer.kind === 'response' && answer.final.status).toBe(486);
    });

    it('answers OPTIONS with the headers the application set', async () => {
      const answer = await peer.send(anOptions());
      if (answer.kind !== 'response') {
        throw new Error(`expected a response, got ${answer.kind}`);
      }
      expect(answer.final.status).toBe(200);
      expect(answer.final.header('allow')).toBe('INVITE, ACK, CANCEL, OPTIONS');
    });

    it('answers REGISTER with the challenge the application sent', async () => {
      const answer = await peer.send(aRegister({ user: '1001' }));
      if (answer.kind !== 'response') {
        throw new Error(`expected a response, got ${answer.kind}`);
      }
      expect(answer.final.status).toBe(401);
      expect(answer.final.header('www-authenticate')).toContain('realm="test"');
    });
  });

  describe('when the application proxies a request', () => {
    it('returns the destinations, the added headers and record-route', async () => {
      const answer = await peer.send(
        anInvite({ extraHeaders: [['X-Test-Proxy', '1']] }),
      );
      if (answer.kind !== 'proxy') {
        throw new Error(`expected a proxy, got ${answer.kind}`);
      }
      expect(answer.proxy.destinations).toEqual([ivr]);
      expect(answer.proxy.recordRoute).toBe(true);
      expect(answer.proxy.headers['x-bridgeline-customer']).toBe('cus_123');
    });

    it("reports the target's final answer back to the application", async () => {
      const [status] = await Promise.all(proxied);
      expect(status).toBe(200);
    });
  });

  describe('when the application drops a request', () => {
    it('returns nothing once the deadline has passed', async () => {
      const answer = await peer.send(
        anInvite({ extraHeaders: [['X-Test-Drop', '1']] }),
        { deadlineMs: 300 },
      );
      expect(answer).toEqual({ kind: 'none' });
    });
  });
});
