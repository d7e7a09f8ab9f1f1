import type { SQL } from 'drizzle-orm';
import { heldFragment } from '../prepared.ts';

/**
 * The token populations behind holder and delegate metrics. A DAO with rows in token_accounts
 * (kept by the on-chain source) is measured from them; otherwise from its latest token_holders
 * snapshot (file imports). Each is SQL text with the DAO as `$1::int`, for held statements
 * (src/db/prepared.ts) whose first parameter is the DAO, and as a drizzle fragment for queries
 * that are still built (holdersSql, delegatesSql).
 */

const DAO = '$1::int';
const latestSnapshot = `(select max(as_of) from token_holders where dao_id = ${DAO})`;
const hasAccounts = `exists (select 1 from token_accounts where dao_id = ${DAO})`;

/** Rows (address, balance) of the DAO's holders with a positive balance. */
export const HOLDERS = `
    select address, balance from token_accounts where dao_id = ${DAO} and balance > 0
    union all
    select address, balance from token_holders
     where dao_id = ${DAO} and not ${hasAccounts} and as_of = ${latestSnapshot} and balance > 0`;

/**
 * Rows (address, voting_power, delegators) of the DAO's delegates: token accounts holding
 * delegated power or delegators; or, from a holder snapshot, every address some holder delegates
 * to, with its own recorded voting power (else the sum of its delegators' balances).
 */
export const DELEGATES = `
    select address, voting_power, delegators from token_accounts
     where dao_id = ${DAO} and (voting_power > 0 or delegators > 0)
    union all
    select d.delegate as address, coalesce(max(h.voting_power), sum(d.balance)) as voting_power,
           (count(*) filter (where d.address <> d.delegate))::int as delegators
      from token_holders d left join token_holders h on h.dao_id = d.dao_id and h.as_of = d.as_of and h.address = d.delegate
     where d.dao_id = ${DAO} and not ${hasAccounts} and d.as_of = ${latestSnapshot} and d.delegate is not null
     group by d.delegate`;

export const holdersSql = (daoId: number): SQL => heldFragment(HOLDERS, [daoId]);
export const delegatesSql = (daoId: number): SQL => heldFragment(DELEGATES, [daoId]);
