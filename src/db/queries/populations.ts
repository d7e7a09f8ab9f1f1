import { type SQL, sql } from 'drizzle-orm';

/**
 * The token populations behind holder and delegate metrics. A DAO with rows in token_accounts
 * (kept by the on-chain source) is measured from them; otherwise from its latest token_holders
 * snapshot (file imports).
 */

const latestSnapshot = (daoId: number) => sql`(select max(as_of) from token_holders where dao_id = ${daoId})`;
const hasAccounts = (daoId: number) => sql`exists (select 1 from token_accounts where dao_id = ${daoId})`;

/** Rows (address, balance) of the DAO's holders with a positive balance. */
export function holdersSql(daoId: number): SQL {
  return sql`
    select address, balance from token_accounts where dao_id = ${daoId} and balance > 0
    union all
    select address, balance from token_holders
     where dao_id = ${daoId} and not ${hasAccounts(daoId)} and as_of = ${latestSnapshot(daoId)} and balance > 0`;
}

/**
 * Rows (address, voting_power, delegators) of the DAO's delegates: token accounts holding
 * delegated power or delegators; or, from a holder snapshot, every address some holder delegates
 * to, with its own recorded voting power (else the sum of its delegators' balances).
 */
export function delegatesSql(daoId: number): SQL {
  const asOf = latestSnapshot(daoId);
  return sql`
    select address, voting_power, delegators from token_accounts
     where dao_id = ${daoId} and (voting_power > 0 or delegators > 0)
    union all
    select d.delegate as address, coalesce(max(h.voting_power), sum(d.balance)) as voting_power,
           (count(*) filter (where d.address <> d.delegate))::int as delegators
      from token_holders d left join token_holders h on h.dao_id = d.dao_id and h.as_of = d.as_of and h.address = d.delegate
     where d.dao_id = ${daoId} and not ${hasAccounts(daoId)} and d.as_of = ${asOf} and d.delegate is not null
     group by d.delegate`;
}
