import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { canWrite, useMe } from '../api/account.ts';
import { apiGet, apiPost } from '../api/client.ts';
import type { AnalysisJob, ProposalAnalysisResponse } from '../api/types.ts';
import { formatDate } from '../lib/format.ts';
import { Quoted } from './Quoted.tsx';
import { Button, Card, EmptyState, ErrorState, SkeletonRows } from './ui.tsx';

function List({ title, items }: { title: string; items: string[] }) {
  if (items.length === 0) return null;
  return (
    <div className="mt-3">
      <h3 className="text-xs font-semibold text-muted uppercase">{title}</h3>
      <ul className="mt-1 list-disc space-y-1 pl-5">
        {items.map((s) => (
          <li key={s}>
            <Quoted text={s} />
          </li>
        ))}
      </ul>
    </div>
  );
}

const running = (job: AnalysisJob | null | undefined) => job?.status === 'queued' || job?.status === 'running';

/** The proposal's summary with its provider, model and date, and (editors and admins) a button for a new one. */
export function AnalysisCard({ proposalId }: { proposalId: string | number }) {
  const key = ['analysis', String(proposalId)];
  const client = useQueryClient();
  const { me } = useMe();
  const query = useQuery({
    queryKey: key,
    queryFn: ({ signal }) =>
      apiGet<ProposalAnalysisResponse>(`/proposals/${encodeURIComponent(proposalId)}/analysis`, {}, signal),
    // While a requested analysis runs, ask again every 2 s.
    refetchInterval: (q) => (running(q.state.data?.job) ? 2000 : false),
  });
  const request = useMutation({
    mutationFn: () => apiPost<AnalysisJob>(`/proposals/${encodeURIComponent(proposalId)}/analysis`, {}),
    onSuccess: () => void client.invalidateQueries({ queryKey: key }),
  });
  const data = query.data;
  const busy = request.isPending || running(data?.job);
  const a = data?.analysis;
  return (
    <Card
      title="Summary"
      actions={
        canWrite(me) && (
          <Button onClick={() => request.mutate()} disabled={busy} data-testid="new-analysis">
            {busy ? 'Analysing…' : 'New analysis'}
          </Button>
        )
      }
    >
      {query.isError ? (
        <ErrorState error={query.error} retry={() => void query.refetch()} what="the summary" />
      ) : !a ? (
        <SkeletonRows rows={3} />
      ) : (
        <div data-testid="analysis">
          <div className="mb-2 text-xs text-muted" data-testid="analysis-meta">
            {a.provider} · {a.model} · {formatDate(a.created_at, true)}
            {a.fallback_reason && <span title={a.fallback_reason}> · fallback</span>}
          </div>
          {a.result.tldr ? (
            <div data-testid="analysis-tldr">
              <Quoted text={a.result.tldr} />
            </div>
          ) : (
            <EmptyState title="The text has no prose to summarise" />
          )}
          <List title="Key points" items={a.result.key_points} />
          <List title="What changes" items={a.result.what_changes} />
          <List title="Risks" items={a.result.risks} />
          <List title="Open questions" items={a.result.open_questions} />
          {a.result.money.length > 0 && (
            <List
              title="Money"
              items={a.result.money.map((m) => `${m.amount}${m.recipient ? ` → ${m.recipient}` : ''}`)}
            />
          )}
          {a.result.vote_reasons && (
            <div className="mt-3 text-sm">
              <h3 className="text-xs font-semibold text-muted uppercase">Vote reasons</h3>
              <ul className="mt-1 space-y-1">
                {a.result.vote_reasons.by_choice.map((c) => (
                  <li key={c.choice}>
                    <span className="font-medium">{c.choice}</span>: {c.reasons} · sentiment {c.sentiment.toFixed(2)}
                    {c.themes.length > 0 && <span className="text-muted"> · {c.themes.join(', ')}</span>}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {data?.job?.status === 'failed' && (
            <div className="mt-3 text-xs text-danger">The last analysis failed: {data.job.error}</div>
          )}
        </div>
      )}
    </Card>
  );
}
