import type { Static } from '@sinclair/typebox';
import type * as accounts from './schemas/accounts.ts';
import type * as ai from './schemas/ai.ts';
import type * as alerts from './schemas/alerts.ts';
import type * as common from './schemas/common.ts';
import type * as daos from './schemas/daos.ts';
import type * as health from './schemas/health.ts';
import type * as imports from './schemas/import.ts';
import type * as metrics from './schemas/metrics.ts';
import type * as notifications from './schemas/notifications.ts';
import type * as proposals from './schemas/proposals.ts';
import type * as search from './schemas/search.ts';
import type * as sync from './schemas/sync.ts';
import type * as treasury from './schemas/treasury.ts';
import type * as voters from './schemas/voters.ts';

/**
 * The API's answers as TypeScript types, read from the route schemas (src/api/schemas/) that
 * validate and serialise them. The dashboard imports these with `import type` only, so it states
 * no shape of its own and no server code enters its bundle.
 */

export type Pagination = Static<typeof common.Pagination>;
export type ErrorBody = Static<typeof common.ErrorBody>;
export type ErrorCode = ErrorBody['error']['code'];

export type DaoRef = Static<typeof daos.DaoRef>;
export type Dao = Static<typeof daos.Dao>;
export type DaoDetail = Static<typeof daos.DaoDetail>;
export type Coverage = Static<typeof daos.Coverage>;

export type ProposalSummary = Static<typeof proposals.ProposalSummary>;
export type Tally = Static<typeof proposals.Tally>;
export type ProposalDetail = Static<typeof proposals.ProposalDetail>;
export type Vote = Static<typeof proposals.Vote>;

export type VoterProfile = Static<typeof voters.VoterProfile>;
export type EnsName = Static<typeof voters.EnsName>;
export type VoterVote = Static<typeof voters.VoterVote>;

export type TreasuryBalance = Static<typeof treasury.TreasuryBalance>;
export type Treasury = Static<typeof treasury.Treasury>;

export type Metric = Static<typeof metrics.Metric>;
export type Concentration = Static<typeof metrics.Concentration>;
export type Summary = Static<typeof metrics.Summary>;
export type ComparedSummary = Static<typeof metrics.ComparedSummary>;
export type Comparison = Static<typeof metrics.Comparison>;
export type EnhancedType = Static<typeof metrics.EnhancedType>;
export type Bucket = Static<typeof metrics.Bucket>;
/**
 * One bucket of a series: `t` and the figures of its type. TypeBox's static type leaves out what
 * `additionalProperties` allows, so the figures are added here from the same schema.
 */
export type EnhancedPoint = Static<typeof metrics.EnhancedPoint> &
  Record<string, Static<typeof metrics.EnhancedFigure>>;
export type Enhanced = Omit<Static<typeof metrics.Enhanced>, 'series'> & {
  series: { dao: DaoRef; points: EnhancedPoint[] }[];
};
export type Voter = Static<typeof metrics.VoterEntry>;
export type Delegate = Static<typeof metrics.DelegateEntry>;
export type Holder = Static<typeof metrics.HolderEntry>;

export type SearchHit = Static<typeof search.SearchHit>;

export type SyncStatus = Static<typeof sync.SyncStatus>;
export type SyncOutcome = Static<typeof sync.SyncOutcome>;

export type ImportResult = Static<typeof imports.ImportResult>;
export type Health = Static<typeof health.Health>;
export type DatabaseHealth = Static<typeof health.DatabaseHealth>;
export type MonitoringHealth = Static<typeof health.MonitoringHealth>;
export type MonitoringMetrics = Static<typeof health.MonitoringMetrics>;

export type ProposalAnalysisResponse = Static<typeof ai.ProposalAnalysisResponse>;
export type AnalysisJob = Static<typeof ai.AnalysisJob>;
export type DaoReportResponse = Static<typeof ai.DaoReportResponse>;
export type ReportFigures = DaoReportResponse['figures'];

export type Role = Static<typeof accounts.Role>;
export type Scope = Static<typeof accounts.Scope>;
export type User = Static<typeof accounts.User>;
export type Me = Static<typeof accounts.Me>;
export type SignIn = Static<typeof accounts.SignIn>;
export type Csrf = Static<typeof accounts.Csrf>;
export type LoggedOutEverywhere = Static<typeof accounts.LoggedOutEverywhere>;
export type TotpEnrolment = Static<typeof accounts.TotpEnrolment>;
export type RecoveryCodes = Static<typeof accounts.RecoveryCodes>;
export type ApiKey = Static<typeof accounts.ApiKey>;
export type NewApiKey = Static<typeof accounts.NewApiKey>;
export type AuditEntry = Static<typeof accounts.AuditEntry>;

/** Request bodies of the account routes (what the dashboard sends). */
export type SignInBody = Static<typeof accounts.SignInBody>;
export type PasswordChangeBody = Static<typeof accounts.PasswordChangeBody>;
export type TotpConfirmBody = Static<typeof accounts.TotpConfirmBody>;
export type TotpDisableBody = Static<typeof accounts.TotpDisableBody>;
export type NewApiKeyBody = Static<typeof accounts.NewApiKeyBody>;
export type NewUserBody = Static<typeof accounts.NewUserBody>;
export type UserChangeBody = Static<typeof accounts.UserChangeBody>;
export type UserPasswordBody = Static<typeof accounts.UserPasswordBody>;

export type { LiveEvent, SourceName } from '../sync/live-event.ts';

export type OperatorAlert = Static<typeof alerts.OperatorAlert>;

export type ChannelKind = Static<typeof notifications.ChannelKind>;
export type SubscribableKind = Static<typeof notifications.SubscribableKind>;
export type NotificationChannel = Static<typeof notifications.Channel>;
export type NewNotificationChannel = Static<typeof notifications.NewChannel>;
export type NotificationSubscription = Static<typeof notifications.Subscription>;
export type Delivery = Static<typeof notifications.Delivery>;
export type DeliveryStatus = Static<typeof notifications.DeliveryStatus>;
/** Request bodies of the notification routes. */
export type NewChannelBody = Static<typeof notifications.NewChannelBody>;
export type NewSubscriptionBody = Static<typeof notifications.NewSubscriptionBody>;
