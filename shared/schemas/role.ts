import { z } from 'zod';
import { permissionString, snowflake, text } from './common.js';

export const role = z.object({
  id: snowflake,
  guildId: snowflake,
  name: z.string(),
  permissions: permissionString,
  color: z.number().int(),
  position: z.number().int(),
  hoist: z.boolean(),
  mentionable: z.boolean(),
  /** a bot's role, created when the bot was added to the guild (it cannot be assigned by hand) */
  managed: z.boolean(),
  /** for managed roles: the bot's user id */
  botId: snowflake.nullable(),
});
export type Role = z.infer<typeof role>;

const roleFields = {
  name: text().trim().min(1).max(100),
  permissions: permissionString,
  color: z.number().int().min(0).max(0xffffff),
  /** 0 is @everyone's; other roles sit at 1..n */
  position: z.number().int().min(1).max(10_000),
  hoist: z.boolean(),
  mentionable: z.boolean(),
};

export const createRoleInput = z.object({ guildId: snowflake, ...roleFields }).partial(
  { name: true, permissions: true, color: true, position: true, hoist: true, mentionable: true },
);
export const updateRoleInput = z
  .object({ guildId: snowflake, roleId: snowflake, ...roleFields })
  .partial({ name: true, permissions: true, color: true, position: true, hoist: true, mentionable: true });
export const roleRefInput = z.object({ guildId: snowflake, roleId: snowflake });
