import type { UseQueryResult } from '@tanstack/react-query';
import type { Dao, Summary } from '../../api/types.ts';

export interface TabProps {
  dao: Dao;
  summary: UseQueryResult<Summary>;
}

export const monthLabel = (iso: string) =>
  new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', timeZone: 'UTC' });
