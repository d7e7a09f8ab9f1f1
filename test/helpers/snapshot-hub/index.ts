export { HubData, type HubProposalRow, type HubVoteRow, type LoadOptions, loadHubData, voteId } from './data.ts';
export { type Faults, type HubOptions, type HubStats, SnapshotHubStandIn, startHub, weakEtag } from './server.ts';
