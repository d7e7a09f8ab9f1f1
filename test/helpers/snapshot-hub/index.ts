export { HubData, loadHubData, voteId, type HubProposalRow, type HubVoteRow, type LoadOptions } from './data.ts';
export { SnapshotHubStandIn, startHub, weakEtag, type Faults, type HubOptions, type HubStats } from './server.ts';
