import { testAdminToken } from './app';

/** Test data for accounts, and a small client for the account API. */

let sequence = 0;

export function aUsername(prefix = 'agent'): string {
  sequence += 1;
  return `${prefix}.${process.pid}.${sequence}`;
}

/** Long enough for the 12-character minimum, and unique. */
export function aPassword(): string {
  sequence += 1;
  return `correct horse battery ${sequence}`;
}

export interface AccountInput {
  username: string;
  displayName: string;
  role: 'agent' | 'supervisor' | 'admin';
  password: string;
  skills?: string[];
  queues?: string[];
  maxChats?: number;
  sipUser?: string;
  sipPassword?: string;
}

export function anAccountInput(
  overrides: Partial<AccountInput> = {},
): AccountInput {
  const role = overrides.role ?? 'agent';
  return {
    username: aUsername(role),
    displayName: 'Ada Lovelace',
    role,
    password: aPassword(),
    skills: ['billing'],
    queues: ['support'],
    ...overrides,
  };
}

export interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/** The admin token's header, or a session token's. */
export const asAdmin = { authorization: `Bearer ${testAdminToken}` };
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = asAdmin,
): Promise<Reply> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: response.headers,
  };
}

export interface LoggedIn {
  id: string;
  input: AccountInput;
  token: string;
  cookie: string;
}

/** Creates an account with the admin token and logs in as it. */
export async function aLoggedInAccount(
  base: string,
  overrides: Partial<AccountInput> = {},
): Promise<LoggedIn> {
  const input = anAccountInput(overrides);
  const created = await call(base, 'POST', '/api/admin/accounts', input);
  if (created.status !== 201) {
    throw new Error(`account not created: ${JSON.stringify(created.body)}`);
  }
  const login = await call(
    base,
    'POST',
    '/api/auth/login',
    {
      username: input.username,
      password: input.password,
    },
    {},
  );
  const token = String(login.body.token);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { id: String(created.body.id), input, token, cookie };
}
