/**
 * A sync's last error in words for the Sources page. The stored message is the source's own
 * (what the logs and the API give, kept as it is); this says what it means and what to do.
 */
const RULES: Array<[RegExp, string]> = [
  [
    /interrupted/i,
    'The process running this sync stopped before it finished; the next run starts again from the last saved point.',
  ],
  [
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|fetch failed|socket hang up|could not be reached/i,
    'The source could not be reached: check the URL and that the service or network is up.',
  ],
  [
    /HTTP 429|rate.?limit|too many requests/i,
    'The source is limiting how often it answers: the sync retries later; an API key raises the limit.',
  ],
  [
    /HTTP 40[13]\b|unauthori[sz]ed|forbidden|api key/i,
    'The source refused the request: check the API key or its permissions.',
  ],
  [/HTTP 5\d\d/i, 'The source had an internal error; it is usually temporary and the next run retries.'],
  [
    /timed? ?out|TimeoutError|ETIMEDOUT|aborted due to timeout/i,
    'The source took too long to answer; the next run retries.',
  ],
  [/reorg deeper/i, 'The chain reorganised further back than the blocks kept: raise CONFIRMATIONS or resync this DAO.'],
  [
    /no progress|unexpected answer|has no data/i,
    'The source answered with something this sync could not read; its message is below.',
  ],
  [
    /records were rejected/i,
    'Some records of the last import were not valid and were left out; the others were stored.',
  ],
  [/RPC_URL|no rpc|chain id/i, 'No working RPC endpoint is configured for this chain (RPC_URL_<chainId>).'],
];

export function explainSyncError(message: string | null | undefined): string | null {
  if (!message) return null;
  for (const [pattern, words] of RULES) if (pattern.test(message)) return words;
  return 'The last run failed; the source gave the message below.';
}
