// Bots get into guilds the way Discord's OAuth2 "bot" scope adds them (bots cannot accept invites).
import type { Client } from './clients.js';

/** Adds the bot (its application's id is the bot's user id) to a guild, as `authorizer` (MANAGE_GUILD there). */
export function addBotToGuild(authorizer: Client, botId: string, guildId: string, permissions = '0') {
  return authorizer.oauth2.authorizeBot.mutate({ applicationId: botId, guildId, permissions, scopes: ['bot', 'applications.commands'] });
}
