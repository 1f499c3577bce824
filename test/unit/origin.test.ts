import type { FastifyRequest } from 'fastify';
import { originAllowed } from '../../src/http/principal';
import { neededRole } from '../../src/http/access-policy';

function request(headers: Record<string, string>): FastifyRequest {
  // Only the headers and protocol are read.
  const partial: Pick<FastifyRequest, 'headers' | 'protocol'> = {
    headers,
    protocol: 'http',
  };
  return partial as FastifyRequest;
}

describe('originAllowed', () => {
  it('when PUBLIC_BASE_URL is set, it admits that origin only', () => {
    const base = 'https://bl.example.com/desk';
    const from = (origin: string) =>
      originAllowed(request({ origin, host: 'internal:3000' }), base);
    expect(from('https://bl.example.com')).toBe(true);
    expect(from('http://bl.example.com')).toBe(false);
    expect(from('https://bl.example.com.evil.example')).toBe(false);
    expect(from('http://internal:3000')).toBe(false);
  });

  it('when it is unset, it admits the Host the request names', () => {
    const allowed = originAllowed(
      request({ origin: 'http://localhost:3000', host: 'localhost:3000' }),
      undefined,
    );
    expect(allowed).toBe(true);
  });

  it('refuses a missing, null or malformed Origin', () => {
    const cases: Record<string, string>[] = [
      { host: 'localhost:3000' },
      { origin: 'null', host: 'localhost:3000' },
      { origin: 'not a url', host: 'localhost:3000' },
    ];
    for (const headers of cases) {
      expect(originAllowed(request(headers), undefined)).toBe(false);
    }
  });
});

describe('neededRole', () => {
  it('closes what it does not name to everyone below supervisor', () => {
    expect(neededRole('GET', '/api/admin/flows')).toBe('admin');
    expect(neededRole('GET', '/api/administrator')).toBe('supervisor');
    expect(neededRole('DELETE', '/api/customers/:id')).toBe('admin');
    expect(neededRole('GET', '/api/agents/:id/offers')).toBe('agent');
    expect(neededRole('GET', '/api/desktop/session')).toBe('agent');
    expect(neededRole('GET', '/api/auth/me')).toBe('agent');
    expect(neededRole('GET', '/api/context')).toBe('supervisor');
    expect(neededRole('POST', '/api/something-new')).toBe('supervisor');
    expect(neededRole('GET', undefined)).toBe('supervisor');
  });
});
