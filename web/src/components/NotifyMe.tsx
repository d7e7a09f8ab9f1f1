import * as Dialog from '@radix-ui/react-dialog';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useMe } from '../api/account.ts';
import { useChannels } from '../api/notifications.ts';
import type { NotificationSubscription } from '../api/types.ts';
import { plural } from '../lib/format.ts';
import { SignInLink } from './Account.tsx';
import { SubscribeForm } from './SubscribeForm.tsx';
import { Button, cx, ErrorState, FormMessage, SkeletonRows } from './ui.tsx';

/**
 * "Notify me" for one DAO (its page, its proposals' pages): a signed-in user subscribes one of
 * their channels to chosen events in a dialog, or is sent to add a channel first; a reader who is
 * not signed in gets a sign-in link back to this page.
 */
export function NotifyMe({ dao }: { dao: { slug: string; name: string } }) {
  const { me, loading } = useMe();
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<NotificationSubscription | null>(null);
  const channels = useChannels(!!me && open);
  if (loading) return null;
  if (!me)
    return (
      <span className="text-sm text-muted" data-testid="notify-me">
        <SignInLink>Sign in</SignInLink> to be notified about {dao.name}
      </span>
    );
  const own = channels.data?.filter((c) => !c.operator) ?? [];
  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) setDone(null);
      }}
    >
      <Dialog.Trigger asChild>
        <Button data-testid="notify-me">🔔 Notify me</Button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-50 bg-black/40" />
        <Dialog.Content
          className={cx(
            'fixed top-1/2 left-1/2 z-50 max-h-[calc(100vh-2rem)] w-[calc(100vw-2rem)] max-w-md -translate-x-1/2 -translate-y-1/2 overflow-y-auto',
            'rounded-xl border border-line bg-surface p-5 text-text shadow-xl',
          )}
        >
          <Dialog.Title className="text-lg font-semibold">Notify me about {dao.name}</Dialog.Title>
          <Dialog.Description className="mt-1 mb-3 text-sm text-muted">
            Choose the events and the channel they go to. Manage everything on the{' '}
            <Link to="/notifications" className="text-accent underline">
              Notifications
            </Link>{' '}
            page.
          </Dialog.Description>
          {done ? (
            <div className="grid gap-3">
              <FormMessage success={`Subscribed to ${plural(done.events.length, 'event')} of ${dao.name}.`} />
              <div className="flex justify-end">
                <Dialog.Close asChild>
                  <Button variant="primary">Done</Button>
                </Dialog.Close>
              </div>
            </div>
          ) : channels.isError ? (
            <ErrorState error={channels.error} retry={() => void channels.refetch()} what="your channels" />
          ) : !channels.data ? (
            <SkeletonRows rows={3} />
          ) : own.length === 0 ? (
            <p className="text-sm">
              You have no channel yet.{' '}
              <Link to="/notifications" className="text-accent underline">
                Create a channel first
              </Link>{' '}
              (an email address, a Slack, Discord or Telegram chat, or a webhook).
            </p>
          ) : (
            <SubscribeForm channels={own} dao={dao} onDone={setDone} />
          )}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
