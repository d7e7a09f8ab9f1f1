import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { type Identity, requireSignedIn, roleOf } from '../../auth/accounts.ts';
import { getDao } from '../../db/queries/daos.ts';
import * as store from '../../db/queries/notifications.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { errorResponses, success } from '../schemas/common.ts';
import {
  Channel,
  ChannelId,
  DeliveriesQuery,
  Delivery,
  NewChannel,
  NewChannelBody,
  NewSubscriptionBody,
  Subscription,
} from '../schemas/notifications.ts';
import { requestMeta } from '../security.ts';

const channelToApi = (c: store.ChannelRow) => ({
  id: c.id,
  name: c.name,
  kind: c.kind,
  target_hint: c.targetHint,
  // An env channel's secret_hint column holds its fingerprint, which is no hint for anyone.
  secret_hint: c.origin === 'env' ? null : c.secretHint,
  operator: c.operator,
  origin: c.origin,
  owner_id: c.ownerUserId,
  created_at: c.createdAt.toISOString(),
});

const subscriptionToApi = (s: store.SubscriptionRow) => ({
  id: s.id,
  dao: { id: s.daoId, slug: s.daoSlug },
  channel_id: s.channelId,
  events: s.events,
  options: s.options,
  created_at: s.createdAt.toISOString(),
});

const deliveryToApi = (d: store.DeliveryRow) => ({
  id: d.id,
  kind: d.kind,
  event_key: d.eventKey,
  channel: { id: d.channelId, name: d.channelName, kind: d.channelKind },
  subscription_id: d.subscriptionId,
  dao_id: d.daoId,
  title: d.event.title,
  url: d.event.url,
  severity: d.event.severity,
  status: d.status,
  attempts: d.attempts,
  unknown_outcomes: d.unknownOutcomes,
  next_attempt_at: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
  last_status: d.lastStatus,
  last_error: d.lastError,
  created_at: d.createdAt.toISOString(),
  sent_at: d.sentAt?.toISOString() ?? null,
});

const isAdmin = (identity: Identity) => roleOf(identity) === 'admin';

/**
 * A user's own notification channels, subscriptions and deliveries; operator channels (alerts
 * about the installation) and their deliveries for admins. Nobody sees another user's.
 */
export const notificationRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, context) => {
  const { notifications, dispatcher, accounts, database } = context;
  const db = database.db;

  /** The channel if the caller may use it: their own; an operator channel for an admin. Else 404. */
  async function channelFor(identity: Identity, id: number): Promise<store.ChannelRow> {
    const user = requireSignedIn(identity);
    const channel = await store.getChannel(db, id);
    if (!channel || (channel.operator ? !isAdmin(identity) : channel.ownerUserId !== user.id))
      throw new NotFoundError('channel', id);
    return channel;
  }

  app.post(
    '/notifications/channels',
    {
      config: { permission: 'account' },
      schema: {
        tags: ['notifications'],
        summary:
          'Add a channel (email, Slack, Discord, Telegram or signed webhook); its target and secret are never shown again',
        body: NewChannelBody,
        response: { 201: success(NewChannel), ...errorResponses },
      },
    },
    async (request, reply) => {
      const user = requireSignedIn(request.identity);
      const operator = request.body.operator === true;
      if (operator && !isAdmin(request.identity))
        throw new ForbiddenError('only admins add operator channels (operator: true)');
      const { channel, generatedSecret } = await notifications.createChannel(operator ? null : user.id, request.body);
      await accounts.audit(request.identity, requestMeta(request), 'notification.channel.create', {
        resource: `channel:${channel.id}`,
        details: { kind: channel.kind, operator },
      });
      return reply.status(201).send({
        status: 'success' as const,
        data: { channel: channelToApi(channel), secret: generatedSecret ?? null },
        ...(generatedSecret ? { message: 'channel created: copy the webhook secret now' } : {}),
      });
    },
  );

  app.get(
    '/notifications/channels',
    {
      config: { permission: 'account' },
      schema: {
        tags: ['notifications'],
        summary: 'Your channels (and, for admins, the operator channels)',
        response: { 200: success(Type.Array(Channel)), ...errorResponses },
      },
    },
    async (request) => {
      const user = requireSignedIn(request.identity);
      const own = await store.listChannels(db, user.id);
      const operator = isAdmin(request.identity) ? await store.listChannels(db, null) : [];
      return { status: 'success' as const, data: [...own, ...operator].map(channelToApi) };
    },
  );

  app.delete(
    '/notifications/channels/:id',
    {
      config: { permission: 'account' },
      schema: {
        tags: ['notifications'],
        summary: 'Delete a channel: its secret is erased, its subscriptions end, its pending deliveries fail',
        params: ChannelId,
        response: { 200: success(Channel), ...errorResponses },
      },
    },
    async (request) => {
      const channel = await channelFor(request.identity, request.params.id);
      if (channel.origin === 'env')
        throw new ConflictError('this channel comes from ALERT_CHANNELS: change the variable to remove it');
      await db.transaction((tx) => store.deleteChannel(tx, channel.id));
      await accounts.audit(request.identity, requestMeta(request), 'notification.channel.delete', {
        resource: `channel:${channel.id}`,
      });
      return { status: 'success' as const, data: channelToApi(channel), message: 'channel deleted' };
    },
  );

  app.post(
    '/notifications/channels/:id/test',
    {
      config: { permission: 'account' },
      schema: {
        tags: ['notifications'],
        summary:
          'Send a test message through a channel now; the answer is its delivery (retried like any other if it failed)',
        params: ChannelId,
        response: { 200: success(Delivery), ...errorResponses },
      },
    },
    async (request) => {
      const channel = await channelFor(request.identity, request.params.id);
      const queued = await notifications.queueTest(channel);
      await dispatcher.deliverNow(queued.id);
      const delivery = (await store.getDelivery(db, queued.id))!;
      return {
        status: 'success' as const,
        data: deliveryToApi(delivery),
        message: delivery.status === 'sent' ? 'test message sent' : `test message not sent: ${delivery.lastError}`,
      };
    },
  );

  app.post(
    '/notifications/subscriptions',
    {
      config: { permission: 'account' },
      schema: {
        tags: ['notifications'],
        summary: "Subscribe one of your channels to a DAO's events",
        body: NewSubscriptionBody,
        response: { 201: success(Subscription), ...errorResponses },
      },
    },
    async (request, reply) => {
      const user = requireSignedIn(request.identity);
      const channel = await store.getChannel(db, request.body.channel_id);
      if (!channel || channel.ownerUserId !== user.id)
        throw new ValidationError('channel_id is not one of your channels', [
          { in: 'body', parameter: 'channel_id', message: 'is not one of your channels' },
        ]);
      const dao = await getDao(db, request.body.dao).catch((error) => {
        if (error instanceof NotFoundError)
          throw new ValidationError(`dao '${request.body.dao}' not found`, [
            { in: 'body', parameter: 'dao', message: 'is not a DAO id or slug' },
          ]);
        throw error;
      });
      // The addresses are the only place a watch is kept: without them the event could never fire.
      if (request.body.events.includes('delegate.not_voted') && !request.body.options?.addresses?.length)
        throw new ValidationError('options.addresses: delegate.not_voted needs the addresses to watch', [
          { in: 'body', parameter: 'options.addresses', message: 'delegate.not_voted needs the addresses to watch' },
        ]);
      const options: Record<string, unknown> = { ...(request.body.options ?? {}) };
      if (Array.isArray(options.addresses))
        options.addresses = (options.addresses as string[]).map((a) => a.toLowerCase());
      const subscription = await store.insertSubscription(db, {
        userId: user.id,
        daoId: dao.id,
        channelId: channel.id,
        events: request.body.events,
        options,
      });
      return reply.status(201).send({ status: 'success' as const, data: subscriptionToApi(subscription) });
    },
  );

  app.get(
    '/notifications/subscriptions',
    {
      config: { permission: 'account' },
      schema: {
        tags: ['notifications'],
        summary: 'Your subscriptions',
        response: { 200: success(Type.Array(Subscription)), ...errorResponses },
      },
    },
    async (request) => {
      const user = requireSignedIn(request.identity);
      return { status: 'success' as const, data: (await store.listSubscriptions(db, user.id)).map(subscriptionToApi) };
    },
  );

  app.delete(
    '/notifications/subscriptions/:id',
    {
      config: { permission: 'account' },
      schema: {
        tags: ['notifications'],
        summary: 'End a subscription (its deliveries stay in the history)',
        params: ChannelId,
        response: { 200: success(Subscription), ...errorResponses },
      },
    },
    async (request) => {
      const user = requireSignedIn(request.identity);
      const subscription = await store.getSubscription(db, request.params.id);
      if (!subscription || subscription.userId !== user.id) throw new NotFoundError('subscription', request.params.id);
      await store.deleteSubscription(db, subscription.id);
      return { status: 'success' as const, data: subscriptionToApi(subscription), message: 'subscription ended' };
    },
  );

  app.get(
    '/notifications/deliveries',
    {
      config: { permission: 'account' },
      schema: {
        tags: ['notifications'],
        summary: 'Deliveries, newest first: yours; the operator alerts or every one for admins (scope)',
        querystring: DeliveriesQuery,
        response: { 200: success(Type.Array(Delivery)), ...errorResponses },
      },
    },
    async (request) => {
      const user = requireSignedIn(request.identity);
      const scope = request.query.scope ?? 'own';
      if (scope !== 'own' && !isAdmin(request.identity))
        throw new ForbiddenError(`scope=${scope} is for admins; yours are scope=own`);
      const rows = await store.listDeliveries(db, {
        userId: scope === 'own' ? user.id : scope === 'operator' ? null : undefined,
        status: request.query.status,
        channelId: request.query.channel_id,
        before: request.query.before,
        limit: request.query.limit,
      });
      return { status: 'success' as const, data: rows.map(deliveryToApi) };
    },
  );
};
