import type { Db } from '../../db/index.ts';
import { daoCoverage } from '../../db/queries/coverage.ts';
import { type DaoSort, getDao, listDaos } from '../../db/queries/daos.ts';
import { daoToApi, paginate } from '../serialize.ts';

export interface DaoPageQuery {
  page: number;
  per_page: number;
  sort: DaoSort;
  order: 'asc' | 'desc';
  chain?: string | undefined;
  search?: string | undefined;
}

/** A page of DAOs as GET /api/v1/daos answers it (also the MCP list tool). */
export async function daoPage(db: Db, q: DaoPageQuery) {
  const { rows, total } = await listDaos(db, {
    page: q.page,
    perPage: q.per_page,
    sort: q.sort,
    order: q.order,
    chain: q.chain,
    search: q.search,
  });
  return { data: rows.map(daoToApi), pagination: paginate(q.page, q.per_page, total) };
}

/** One DAO with what its stored data covers, as GET /api/v1/daos/{id} answers it. */
export async function daoDetail(db: Db, id: string) {
  const dao = await getDao(db, id);
  return { ...daoToApi(dao), coverage: await daoCoverage(db, dao.id) };
}
