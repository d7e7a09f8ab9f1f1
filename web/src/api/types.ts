/**
 * API shapes (snake_case, as served under /api/v1; decimals arrive as strings): the server's own
 * types, read from its route schemas (src/api/contract.ts). Type-only, so no server code is bundled.
 */
export type {
  ComparedSummary,
  Comparison,
  Concentration,
  Dao,
  DaoRef,
  Delegate,
  Enhanced,
  EnhancedPoint,
  EnhancedType,
  ErrorBody,
  ErrorCode,
  LiveEvent,
  Pagination,
  ProposalDetail,
  ProposalSummary,
  SearchHit,
  Summary,
  SyncStatus,
  Tally,
  Treasury,
  TreasuryBalance,
  Vote,
  Voter,
} from '../../../src/api/contract.ts';
