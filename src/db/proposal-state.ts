import { type SQL, sql } from 'drizzle-orm';
import { type ProposalState, SETTLED_STATES } from '../metrics/proposal-states.ts';

// Inlined as literals (they are this file's constants, all [a-z_]): one plan for every query.
const SETTLED_CASES = Object.entries(SETTLED_STATES)
  .map(([stored, state]) => `when '${stored}' then '${state}'`)
  .join(' ');

/**
 * The derived state of a proposal (src/metrics/proposal-states.ts) as one SQL expression over its
 * stored state, start and end, so the list, the detail, the `?state=` filter and the DAO figures
 * all say the same. `now` is the statement's clock: nothing ended is ever `active`.
 */
export function derivedStateSql(columns: { state: SQL | unknown; start: SQL | unknown; end: SQL | unknown }): SQL {
  return sql`(case lower(${columns.state}) ${sql.raw(SETTLED_CASES)}
    else case when now() < ${columns.start} then 'pending' when now() < ${columns.end} then 'active' else 'closed' end
  end)`;
}

/** The same expression as SQL text over column names, for held statements (src/db/prepared.ts). */
export function derivedStateText(columns: { state: string; start: string; end: string }): string {
  return `(case lower(${columns.state}) ${SETTLED_CASES}
    else case when now() < ${columns.start} then 'pending' when now() < ${columns.end} then 'active' else 'closed' end
  end)`;
}

/** The same rule in TypeScript, for rows read without the expression (and for tests to check against). */
export function deriveState(stored: string, start: Date, end: Date, now = new Date()): ProposalState {
  const settled = SETTLED_STATES[stored.toLowerCase()];
  if (settled) return settled;
  if (now < start) return 'pending';
  if (now < end) return 'active';
  return 'closed';
}
