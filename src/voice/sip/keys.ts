/**
 * The SIP edge's Redis keys. Keys that belong to one agent carry the agent
 * id as a Cluster hash tag, so an agent's registration and presence are
 * read together from one node.
 *
 * - `sipuser:<user>` hash {agentId, realm, ha1_md5, ha1_sha256, disabled}:
 *   the SIP credentials of a softphone user; HA1 only, never the password;
 *   `disabled: true` while the agent's account is disabled.
 * - `sipreg:{<agentId>}` hash {user, contact, expiresAt, source,
 *   userAgent}: the agent's live registration, expiring with it.
 * - `agent:{<agentId>}` hash {state: available|busy|away}: presence; the
 *   agent desktop will own it. No key means available.
 * - `sipnonce:<nonce>`: a digest nonce we issued, holding the highest nonce
 *   count used with it; it expires after SIP_NONCE_TTL_S.
 */
export const sipKeys = {
  user: (user: string) => `sipuser:${user}`,
  registration: (agentId: string) => `sipreg:{${agentId}}`,
  presence: (agentId: string) => `agent:{${agentId}}`,
  nonce: (nonce: string) => `sipnonce:${nonce}`,
};

/** SIP user names and agent ids we store: no braces, no spaces. */
export const sipUserPattern = /^[A-Za-z0-9._~+-]{1,64}$/;
export const agentIdPattern = /^[A-Za-z0-9._:@-]{1,128}$/;
