import type { DaoRow } from '../../db/queries/daos.ts';

/** A DAO the Governor source syncs: it names its Governor contract. */
export const governorAppliesTo = (dao: DaoRow): boolean => Boolean(dao.governorAddress);
