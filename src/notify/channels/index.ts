import type { ChannelKind } from '../../db/queries/notifications.ts';
import { discord } from './discord.ts';
import { email } from './email.ts';
import { slack } from './slack.ts';
import { telegram } from './telegram.ts';
import type { Channel } from './types.ts';
import { webhook } from './webhook.ts';

export const CHANNELS: Record<ChannelKind, Channel> = { email, slack, discord, telegram, webhook };
export type { Channel, Destination, SendResult } from './types.ts';
