/**
 * Every error bridgeline reports to a user, in one place: a stable code, the
 * HTTP status it maps to, and a message that says what to do about it.
 */
export const errorCatalog = {
  BL_ERR_INVALID_INPUT: {
    status: 400,
    message: 'The request has a field that is missing or malformed.',
  },
  BL_ERR_INVALID_PHONE: {
    status: 400,
    message: 'Not a valid phone number; send it in E.164 (+14155550100).',
  },
  BL_ERR_INVALID_EMAIL: {
    status: 400,
    message: 'Not a valid email address.',
  },
  BL_ERR_UNAUTHORIZED: {
    status: 401,
    message: 'Send the admin token as "Authorization: Bearer <token>".',
  },
  BL_ERR_WEBHOOK_SIGNATURE: {
    status: 401,
    message:
      'The Jambonz-Signature header is missing, stale or does not match; ' +
      'set JAMBONZ_WEBHOOK_SECRET to the webhook secret of the jambonz account.',
  },
  BL_ERR_LINK_INVALID: {
    status: 401,
    message:
      'This link is not one bridgeline sent, or it was changed; ask for ' +
      'a new one.',
  },
  BL_ERR_LINK_EXPIRED: {
    status: 410,
    message: 'This link has expired; call us or ask for a new one.',
  },
  BL_ERR_LINK_USED: {
    status: 410,
    message:
      'This link was already opened; links work once. Ask for a new one.',
  },
  BL_ERR_VOICEMAIL_TOKEN: {
    status: 401,
    message:
      'This voicemail stream URL is not valid for the call; use the URL ' +
      'from the listen verb bridgeline returned.',
  },
  BL_ERR_CHAT_RATE_LIMITED: {
    status: 429,
    message:
      'Too many chat messages this minute; wait a moment and send it ' +
      'again. Nothing was stored.',
  },
  BL_ERR_CHAT_FRAME_TOO_LARGE: {
    status: 413,
    message:
      'The chat frame is larger than CHAT_MAX_FRAME_BYTES; send a shorter ' +
      'message. Nothing was stored.',
  },
  BL_ERR_CALLBACKS_UNAVAILABLE: {
    status: 503,
    message:
      'Call backs are not available here; keep chatting and an agent ' +
      'will answer.',
  },
  BL_ERR_FORBIDDEN: {
    status: 403,
    message:
      'Your role does not allow this, or the object is not yours; ask an ' +
      'admin for access.',
  },
  BL_ERR_ORIGIN_REFUSED: {
    status: 403,
    message:
      'This WebSocket comes from a page bridgeline does not serve; open ' +
      'the desktop from PUBLIC_BASE_URL.',
  },
  BL_ERR_LOGIN_FAILED: {
    status: 401,
    message: 'Wrong username or password.',
  },
  BL_ERR_LOGIN_RATE_LIMITED: {
    status: 429,
    message: 'Too many failed logins; wait a few minutes and try again.',
  },
  BL_ERR_ACCOUNT_NOT_FOUND: {
    status: 404,
    message: 'No agent, supervisor or admin has that id.',
  },
  BL_ERR_USERNAME_TAKEN: {
    status: 409,
    message: 'Another account has that username; pick another.',
  },
  BL_ERR_QUEUE_NOT_FOUND: {
    status: 404,
    message: 'No queue has that id; list them at /api/admin/queues.',
  },
  BL_ERR_OFFER_NOT_FOUND: {
    status: 404,
    message:
      'That offer has expired, was taken by another agent or is not yours.',
  },
  BL_ERR_AGENT_STATE: {
    status: 409,
    message:
      'The agent cannot move to that state now; finish or wrap up the ' +
      'contact in hand first.',
  },
  BL_ERR_ROUTE_NOT_FOUND: {
    status: 404,
    message: 'No such endpoint; see docs/ARCHITECTURE.md for the API.',
  },
  BL_ERR_CUSTOMER_NOT_FOUND: {
    status: 404,
    message: 'No customer matches; check the id or the identity.',
  },
  BL_ERR_CONVERSATION_NOT_FOUND: {
    status: 404,
    message: 'The customer has no conversation with that id.',
  },
  BL_ERR_RECORDING_NOT_FOUND: {
    status: 404,
    message: 'No finished recording for that call sid.',
  },
  BL_ERR_IDENTITY_NOT_FOUND: {
    status: 404,
    message: 'That identity is not linked to this customer.',
  },
  BL_ERR_IDENTITY_TAKEN: {
    status: 409,
    message: 'The identity belongs to another customer; unlink it there first.',
  },
  BL_ERR_FLOW_NOT_FOUND: {
    status: 404,
    message: 'No flow with that id; list them at GET /api/admin/flows.',
  },
  BL_ERR_FLOW_VERSION_NOT_FOUND: {
    status: 404,
    message:
      'The flow has no such version; list them at ' +
      'GET /api/admin/flows/:id/versions.',
  },
  BL_ERR_NUMBER_NOT_MAPPED: {
    status: 404,
    message:
      'The number has no flow of its own; calls to it get the flow "main".',
  },
  BL_ERR_FLOW_VERSION_CONFLICT: {
    status: 409,
    message:
      'The flow changed since you loaded it; reload it, redo your edit ' +
      'on top and send it again.',
  },
  BL_ERR_FLOW_NO_EARLIER_VERSION: {
    status: 409,
    message:
      'There is no earlier live version to roll back to; name one with ' +
      'toVersion.',
  },
  BL_ERR_FLOW_INVALID: {
    status: 422,
    message:
      'The flow has problems, each listed with its JSON pointer in ' +
      'problems[].field; fix them and send it again. Nothing was published.',
  },
  BL_ERR_FLOW_SCENARIOS_FAILED: {
    status: 422,
    message:
      "Some of the flow's scenarios failed, listed in problems; fix the " +
      'flow or its scenarios. Nothing was published.',
  },
  BL_ERR_SMS_OPTED_OUT: {
    status: 409,
    message:
      'The customer opted out of SMS (they texted STOP); reach them on ' +
      'another channel, or wait for them to text START.',
  },
  BL_ERR_SMS_RATE_LIMITED: {
    status: 429,
    message:
      'This number had SMS_PER_NUMBER_PER_HOUR texts in the past hour; ' +
      'try again later or use another channel. Nothing was sent.',
  },
  BL_ERR_SMS_NO_ADDRESS: {
    status: 422,
    message: 'The customer has no phone number to text; link one first.',
  },
  BL_ERR_SMS_NOT_CONFIGURED: {
    status: 503,
    message:
      'SMS is off: set JAMBONZ_API_BASE_URL, JAMBONZ_ACCOUNT_SID, ' +
      'JAMBONZ_API_KEY and SMS_FROM_NUMBER.',
  },
  BL_ERR_SMS_SEND_FAILED: {
    status: 502,
    message:
      'The jambonz REST API did not accept the message; check its logs ' +
      'and the JAMBONZ_API_* settings, then send it again.',
  },
  BL_ERR_SMS_BEING_STORED: {
    status: 503,
    message:
      'This message_sid is being stored by an earlier delivery; retry ' +
      'shortly and it will be acknowledged.',
  },
  BL_ERR_EMAIL_MALFORMED: {
    status: 422,
    message:
      'The message could not be read as MIME (RFC 5322, RFC 2045); send ' +
      'it again from an ordinary mail client. Nothing was stored.',
  },
  BL_ERR_EMAIL_NO_SENDER: {
    status: 422,
    message:
      'The message has no From address bridgeline can reply to; send it ' +
      'with a From such as name@example.com. Nothing was stored.',
  },
  BL_ERR_EMAIL_TOO_LARGE: {
    status: 413,
    message:
      'The message is larger than SMTP_MAX_BYTES; send a shorter one or ' +
      'fewer attachments. Nothing was stored.',
  },
  BL_ERR_EMAIL_RATE_LIMITED: {
    status: 429,
    message:
      'Too many messages from this address this minute ' +
      '(SMTP_MESSAGES_PER_MINUTE); try again later.',
  },
  BL_ERR_EMAIL_TOO_MANY_SESSIONS: {
    status: 429,
    message:
      'Too many SMTP sessions open from this address ' +
      '(SMTP_SESSIONS_PER_IP); finish one and try again.',
  },
  BL_ERR_EMAIL_OPTED_OUT: {
    status: 409,
    message:
      'The customer asked not to be emailed; reach them on another ' +
      'channel. Nothing was sent.',
  },
  BL_ERR_EMAIL_HOURLY_LIMIT: {
    status: 429,
    message:
      'This address had as many emails from us as allowed in an hour; ' +
      'try again later or use another channel. Nothing was sent.',
  },
  BL_ERR_EMAIL_NO_ADDRESS: {
    status: 422,
    message: 'The customer has no email address; link one first.',
  },
  BL_ERR_EMAIL_SEND_FAILED: {
    status: 502,
    message:
      'The mail relay at SMTP_URL did not accept the message; check ' +
      'SMTP_URL and the relay, then send it again.',
  },
  BL_ERR_PAYLOAD_TOO_LARGE: {
    status: 413,
    message: 'The request body is too large.',
  },
  BL_ERR_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'Send the body as application/json.',
  },
  BL_ERR_SIGN_IN_BUSY: {
    status: 503,
    message:
      'Too many sign-ins are being checked at once; try again in a few seconds.',
  },
  BL_ERR_REDIS_UNAVAILABLE: {
    status: 503,
    message: 'Redis is not reachable; retry shortly.',
  },
  BL_ERR_INTERNAL: {
    status: 500,
    message: 'Something failed on our side; the request id is in the logs.',
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalog;

export interface FieldProblem {
  /** Path of the offending field, dot-separated: `identities.0.value`. */
  field: string;
  message: string;
}

export class BridgelineError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  readonly problems: FieldProblem[];

  constructor(
    code: ErrorCode,
    options: {
      message?: string;
      field?: string;
      problems?: FieldProblem[];
    } = {},
  ) {
    super(options.message ?? errorCatalog[code].message);
    this.name = 'BridgelineError';
    this.code = code;
    this.status = errorCatalog[code].status;
    this.field = options.field ?? options.problems?.[0]?.field;
    this.problems = options.problems ?? [];
  }

  toJSON(): Record<string, unknown> {
    return {
      statusCode: this.status,
      code: this.code,
      message: this.message,
      ...(this.field === undefined ? {} : { field: this.field }),
      ...(this.problems.length > 0 ? { problems: this.problems } : {}),
    };
  }
}

export function isBridgelineError(err: unknown): err is BridgelineError {
  return err instanceof BridgelineError;
}
