import { z } from 'zod';
import { permissionString, snowflake, text } from './common.js';
import { publicUser, username } from './user.js';

/** A developer application with its bot user (the application's id is the bot's user id). */
export const application = z.object({
  id: snowflake,
  name: z.string(),
  description: z.string(),
  icon: z.string().nullable(),
  owner: publicUser,
  bot: publicUser,
  /** Discord's application flags */
  flags: z.number().int(),
  /** anyone with MANAGE_GUILD may add the bot (false: only the owner) */
  botPublic: z.boolean(),
  /** hex Ed25519 public key interactions are signed with */
  verifyKey: z.string(),
  interactionsEndpointUrl: z.string().nullable(),
});
export type Application = z.infer<typeof application>;

const name = text().trim().min(2).max(32);
const description = text().max(400);
const icon = text().max(2048).nullable();
/** https only, as Discord requires of interaction endpoints */
const endpointUrl = text().max(2048).url().startsWith('https://', 'must be an https URL').nullable();

export const createApplicationInput = z.object({
  name,
  description: description.optional(),
  /** the bot user's username; derived from the name when absent */
  username: username.optional(),
});

export const applicationRefInput = z.object({ applicationId: snowflake });

export const updateApplicationInput = z.object({
  /** absent: the caller's own application (a bot editing itself) */
  applicationId: snowflake.optional(),
  name: name.optional(),
  description: description.optional(),
  icon: icon.optional(),
  botPublic: z.boolean().optional(),
  interactionsEndpointUrl: endpointUrl.optional(),
});

export const botTokenResult = z.object({ token: z.string() });

/** Scopes a bot can be authorized with; `bot` is required, `applications.commands` is implied for bots. */
export const botScope = z.enum(['bot', 'applications.commands']);

export const authorizeBotInput = z.object({
  applicationId: snowflake,
  guildId: snowflake,
  /** the permissions of the bot's managed role in that guild */
  permissions: permissionString.default('0'),
  scopes: z.array(botScope).min(1).max(10).refine((s) => s.includes('bot'), 'must include the bot scope'),
});
