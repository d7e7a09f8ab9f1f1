import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, apiDelete, apiGet, apiPost } from './client.ts';
import type {
  Delivery,
  MonitoringHealth,
  NewChannelBody,
  NewNotificationChannel,
  NewSubscriptionBody,
  NotificationChannel,
  NotificationSubscription,
  OperatorAlert,
} from './types.ts';

/**
 * The signed-in user's notification channels, subscriptions and deliveries, and the operator's
 * alerts. Keys start with 'account' so a sign-out or a change of user drops them (api/account.ts).
 */
const CHANNELS = ['account', 'notifications', 'channels'];
const SUBSCRIPTIONS = ['account', 'notifications', 'subscriptions'];
const DELIVERIES = ['account', 'notifications', 'deliveries'];

export const useChannels = (enabled: boolean) =>
  useQuery({
    queryKey: CHANNELS,
    queryFn: ({ signal }) => apiGet<NotificationChannel[]>('/notifications/channels', {}, signal),
    enabled,
  });

export function useCreateChannel() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewChannelBody) => apiPost<NewNotificationChannel>('/notifications/channels', body),
    onSuccess: () => client.invalidateQueries({ queryKey: CHANNELS }),
  });
}

export function useDeleteChannel() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => apiDelete<NotificationChannel>(`/notifications/channels/${id}`),
    // A deleted channel ends its subscriptions and fails its pending deliveries.
    onSuccess: () => client.invalidateQueries({ queryKey: ['account', 'notifications'] }),
  });
}

/** "Send test": the answer is the test's delivery, sent or not with its reason. */
export function useTestChannel() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => apiPost<Delivery>(`/notifications/channels/${id}/test`),
    onSuccess: () => client.invalidateQueries({ queryKey: DELIVERIES }),
  });
}

export const useSubscriptions = (enabled: boolean) =>
  useQuery({
    queryKey: SUBSCRIPTIONS,
    queryFn: ({ signal }) => apiGet<NotificationSubscription[]>('/notifications/subscriptions', {}, signal),
    enabled,
  });

export function useCreateSubscription() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewSubscriptionBody) => apiPost<NotificationSubscription>('/notifications/subscriptions', body),
    onSuccess: () => client.invalidateQueries({ queryKey: SUBSCRIPTIONS }),
  });
}

export function useDeleteSubscription() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => apiDelete<NotificationSubscription>(`/notifications/subscriptions/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: SUBSCRIPTIONS }),
  });
}

/** One page of deliveries, newest first: those older than `before` (a delivery id), or the newest. */
export const useDeliveries = (params: { before?: number; limit: number }, enabled: boolean) =>
  useQuery({
    queryKey: [...DELIVERIES, params],
    queryFn: ({ signal }) => apiGet<Delivery[]>('/notifications/deliveries', params, signal),
    enabled,
    placeholderData: keepPreviousData,
  });

export const useAlerts = (enabled: boolean) =>
  useQuery({
    queryKey: ['account', 'alerts'],
    queryFn: ({ signal }) => apiGet<OperatorAlert[]>('/alerts', {}, signal),
    enabled,
    refetchInterval: 30_000,
  });

export const useMonitoringHealth = (enabled: boolean) =>
  useQuery({
    queryKey: ['account', 'monitoring-health'],
    queryFn: ({ signal }) => apiGet<MonitoringHealth>('/monitoring/health', {}, signal),
    enabled,
    refetchInterval: 30_000,
  });

/**
 * The fields a 400 names (its details' `parameter`s) with what is wrong with each, so a form can
 * show the server's word next to the field it is about (a refused webhook URL next to `target`).
 */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError) || error.status !== 400) return {};
  const details = (error as ApiError & { details?: unknown }).details;
  const out: Record<string, string> = {};
  if (Array.isArray(details))
    for (const d of details as { parameter?: unknown; message?: unknown }[])
      if (typeof d?.parameter === 'string' && typeof d.message === 'string') out[d.parameter] ??= d.message;
  return out;
}
