import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiGet, apiGetPaged, apiPage, type Params } from './client.ts';
import type {
  Comparison,
  Dao,
  DaoDetail,
  Delegate,
  Enhanced,
  EnhancedType,
  Holder,
  ProposalDetail,
  ProposalSummary,
  SearchHit,
  Summary,
  SyncStatus,
  Treasury,
  Vote,
  Voter,
  VoterProfile,
} from './types.ts';

/** One hook per endpoint; query keys mirror the URL so equal views share the cache. */
export const useDaos = (params: Params) =>
  useQuery({
    queryKey: ['daos', params],
    queryFn: ({ signal }) => apiPage<Dao>('/daos', params, signal),
    placeholderData: keepPreviousData,
  });

/** Shared by the hooks and the router, which starts these requests while the page code loads. */
export const daoQuery = (id: string) => ({
  queryKey: ['dao', id],
  queryFn: ({ signal }: { signal: AbortSignal }) => apiGet<DaoDetail>(`/daos/${encodeURIComponent(id)}`, {}, signal),
});
export const summaryQuery = (id: string, params: Params = {}) => ({
  queryKey: ['summary', id, params],
  queryFn: ({ signal }: { signal: AbortSignal }) =>
    apiGet<Summary>(`/daos/${encodeURIComponent(id)}/metrics/summary`, params, signal),
});
export const proposalQuery = (id: string) => ({
  queryKey: ['proposal', id],
  queryFn: ({ signal }: { signal: AbortSignal }) =>
    apiGet<ProposalDetail>(`/proposals/${encodeURIComponent(id)}`, {}, signal),
});

export const useDao = (id: string | undefined) => useQuery({ ...daoQuery(id ?? ''), enabled: !!id });

export const useSummary = (id: string | undefined, params: Params = {}) =>
  useQuery({ ...summaryQuery(id ?? '', params), enabled: !!id });

export const useComparison = (ids: number[], params: Params = {}) =>
  useQuery({
    queryKey: ['comparison', ids, params],
    queryFn: ({ signal }) => apiGet<Comparison>('/metrics/comparison', { dao_ids: ids.join(','), ...params }, signal),
    enabled: ids.length > 0,
  });

export const useEnhanced = (type: EnhancedType, ids: number[], params: Params = {}) =>
  useQuery({
    queryKey: ['enhanced', type, ids, params],
    queryFn: ({ signal }) => apiGet<Enhanced>('/metrics/enhanced', { type, dao_ids: ids.join(','), ...params }, signal),
    enabled: ids.length > 0,
  });

export const useProposals = (id: string | undefined, params: Params) =>
  useQuery({
    queryKey: ['proposals', id, params],
    queryFn: ({ signal }) => apiPage<ProposalSummary>(`/daos/${encodeURIComponent(id!)}/proposals`, params, signal),
    enabled: !!id,
    placeholderData: keepPreviousData,
  });

export const useProposal = (id: string | undefined) => useQuery({ ...proposalQuery(id ?? ''), enabled: !!id });

export const useVotes = (id: string | undefined, params: Params) =>
  useQuery({
    queryKey: ['votes', id, params],
    queryFn: ({ signal }) => apiPage<Vote>(`/proposals/${encodeURIComponent(id!)}/votes`, params, signal),
    enabled: !!id,
    placeholderData: keepPreviousData,
  });

export const useTreasury = (id: string | undefined) =>
  useQuery({
    queryKey: ['treasury', id],
    queryFn: ({ signal }) => apiGet<Treasury>(`/daos/${encodeURIComponent(id!)}/treasury`, {}, signal),
    enabled: !!id,
  });

export const useVoters = (id: string | undefined, params: Params) =>
  useQuery({
    queryKey: ['voters', id, params],
    queryFn: ({ signal }) => apiPage<Voter>(`/daos/${encodeURIComponent(id!)}/voters`, params, signal),
    enabled: !!id,
    placeholderData: keepPreviousData,
  });

export const useDelegates = (id: string | undefined, params: Params) =>
  useQuery({
    queryKey: ['delegates', id, params],
    queryFn: ({ signal }) => apiPage<Delegate>(`/daos/${encodeURIComponent(id!)}/delegates`, params, signal),
    enabled: !!id,
    placeholderData: keepPreviousData,
  });

export const useHolders = (id: string | undefined, params: Params, enabled = true) =>
  useQuery({
    queryKey: ['holders', id, params],
    queryFn: ({ signal }) => apiPage<Holder>(`/daos/${encodeURIComponent(id!)}/holders`, params, signal),
    enabled: !!id && enabled,
    placeholderData: keepPreviousData,
  });

export const useVoterProfile = (address: string | undefined, params: Params) =>
  useQuery({
    queryKey: ['voter', address?.toLowerCase(), params],
    queryFn: ({ signal }) => apiGetPaged<VoterProfile>(`/voters/${encodeURIComponent(address!)}`, params, signal),
    enabled: !!address,
    placeholderData: keepPreviousData,
  });

export const useSearch = (q: string, limit = 20) =>
  useQuery({
    queryKey: ['search', q, limit],
    queryFn: ({ signal }) => apiGet<SearchHit[]>('/search', { q, limit }, signal),
    enabled: q.trim().length >= 2,
  });

export const useSyncStatus = () =>
  useQuery({
    queryKey: ['sync-status'],
    queryFn: ({ signal }) => apiGet<SyncStatus[]>('/sync/status', {}, signal),
    refetchInterval: 15_000,
  });
