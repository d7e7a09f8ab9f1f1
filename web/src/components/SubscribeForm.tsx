import { type FormEvent, useState } from 'react';
import { fieldErrors, useCreateSubscription } from '../api/notifications.ts';
import type { NotificationChannel, NotificationSubscription, SubscribableKind } from '../api/types.ts';
import { EVENTS, type OptionValues, subscriptionOptions } from '../lib/events.ts';
import { Button, FormMessage, inputClass, labelClass } from './ui.tsx';

/**
 * Subscribes one of the user's channels to a DAO's events, with the options those events take.
 * The DAO is fixed (`dao`, the DAO and proposal pages' "Notify me") or chosen from `daos`.
 */
export function SubscribeForm({
  channels,
  dao,
  daos,
  onDone,
}: {
  channels: NotificationChannel[];
  dao?: { slug: string; name: string };
  daos?: { slug: string; name: string }[];
  onDone?: (subscription: NotificationSubscription) => void;
}) {
  const create = useCreateSubscription();
  const own = channels.filter((c) => !c.operator);
  const [daoSlug, setDaoSlug] = useState(dao?.slug ?? '');
  const [channelId, setChannelId] = useState(own[0] ? String(own[0].id) : '');
  const [events, setEvents] = useState<SubscribableKind[]>(['proposal.created', 'proposal.ending']);
  const [values, setValues] = useState<OptionValues>({ hours: '', addresses: '', threshold: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const server = fieldErrors(create.error);
  const problem = (key: string) => errors[key] ?? server[key] ?? server[`options.${key}`];
  const note = (key: string) =>
    problem(key) && (
      <span id={`sub-err-${key}`} className="mt-1 block text-xs text-danger">
        {problem(key)}
      </span>
    );
  const toggle = (kind: SubscribableKind, on: boolean) =>
    setEvents((list) => EVENTS.map((e) => e.kind).filter((k) => (k === kind ? on : list.includes(k))));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const { options, errors } = subscriptionOptions(events, values);
    if (!daoSlug) errors.dao = 'Choose a DAO.';
    if (!channelId) errors.channel_id = 'Choose a channel.';
    setErrors(errors);
    if (Object.keys(errors).length) return;
    create.mutate(
      {
        dao: daoSlug,
        channel_id: Number(channelId),
        events,
        ...(Object.keys(options).length ? { options } : {}),
      },
      { onSuccess: (subscription) => onDone?.(subscription) },
    );
  };
  const set = (key: keyof OptionValues) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [key]: e.target.value }));

  return (
    <form onSubmit={submit} noValidate className="grid gap-3" aria-label="Subscribe to a DAO">
      {dao ? (
        <p className="text-sm">
          DAO: <span className="font-medium">{dao.name}</span>
        </p>
      ) : (
        <label className={labelClass}>
          DAO
          <select
            value={daoSlug}
            onChange={(e) => setDaoSlug(e.target.value)}
            className={`${inputClass} mt-1`}
            aria-invalid={!!problem('dao')}
          >
            <option value="">Choose a DAO…</option>
            {(daos ?? []).map((d) => (
              <option key={d.slug} value={d.slug}>
                {d.name}
              </option>
            ))}
          </select>
          {note('dao')}
        </label>
      )}
      <label className={labelClass}>
        Channel
        <select
          value={channelId}
          onChange={(e) => setChannelId(e.target.value)}
          className={`${inputClass} mt-1`}
          aria-invalid={!!problem('channel_id')}
        >
          {own.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({c.kind})
            </option>
          ))}
        </select>
        {note('channel_id')}
      </label>
      <fieldset className={labelClass}>
        <legend>Events</legend>
        <div className="mt-1 grid gap-1.5 text-sm font-normal text-text">
          {EVENTS.map((e) => (
            <label key={e.kind} className="flex items-start gap-2">
              <input
                type="checkbox"
                className="mt-1"
                checked={events.includes(e.kind)}
                onChange={(x) => toggle(e.kind, x.target.checked)}
              />
              <span>
                {e.label} <span className="text-xs text-muted">— {e.hint}</span>
              </span>
            </label>
          ))}
        </div>
        {note('events')}
      </fieldset>
      {(events.includes('proposal.ending') || events.includes('delegate.not_voted')) && (
        <label className={labelClass}>
          Hours before the end <span className="font-normal">(optional; empty: the server's default)</span>
          <input
            inputMode="numeric"
            value={values.hours}
            onChange={set('hours')}
            placeholder="24"
            className={`${inputClass} mt-1`}
            aria-invalid={!!problem('hours')}
          />
          {note('hours')}
        </label>
      )}
      {events.includes('delegate.not_voted') && (
        <label className={labelClass}>
          Watched addresses <span className="font-normal">(one per line or comma-separated)</span>
          <textarea
            value={values.addresses}
            onChange={set('addresses')}
            rows={3}
            placeholder="0x…"
            className={`${inputClass} mt-1 font-mono`}
            aria-invalid={!!problem('addresses')}
          />
          {note('addresses')}
        </label>
      )}
      {events.includes('treasury.outflow') && (
        <label className={labelClass}>
          Treasury outflow threshold, USD <span className="font-normal">(optional)</span>
          <input
            inputMode="decimal"
            value={values.threshold}
            onChange={set('threshold')}
            placeholder="250000"
            className={`${inputClass} mt-1`}
            aria-invalid={!!problem('threshold')}
          />
          {note('threshold')}
        </label>
      )}
      <div>
        <Button type="submit" variant="primary" disabled={create.isPending}>
          {create.isPending ? 'Subscribing…' : 'Subscribe'}
        </Button>
      </div>
      <FormMessage error={Object.keys(server).length ? undefined : create.error} />
    </form>
  );
}
