import type { DaoRow } from '../../db/queries/daos.ts';

/** A DAO the treasury source syncs: it names at least one treasury address. */
export const treasuryAppliesTo = (dao: DaoRow): boolean => dao.treasuryAddresses.length > 0;
