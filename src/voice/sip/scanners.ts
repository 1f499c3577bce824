/**
 * User-Agents of SIP scanning and toll-fraud tools, as they announce
 * themselves (SIPVicious's svmap writes "friendly-scanner", and so on).
 * A real attacker can change the header, so this only turns away the
 * careless ones cheaply; the rate limits and digest auth do the rest.
 * Matched case-insensitively as fragments; SIP_SCANNER_AGENTS adds more.
 */
export const knownScannerAgents: readonly string[] = [
  'friendly-scanner',
  'sipvicious',
  'sip-cli',
  'sipcli',
  'sipsak',
  'sundayddr',
  'vaxsipuseragent',
  'iwar',
  'pplsip',
  'sipscan',
];

export function scannerMatcher(
  extra: readonly string[],
): (userAgent: string | undefined) => boolean {
  const fragments = [...knownScannerAgents, ...extra].map((fragment) =>
    fragment.toLowerCase(),
  );
  return (userAgent) => {
    if (userAgent === undefined) {
      return false;
    }
    const agent = userAgent.toLowerCase();
    return fragments.some((fragment) => agent.includes(fragment));
  };
}
