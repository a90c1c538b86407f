// The Discord embed object (type "rich"), with Discord's limits: per field, 25 fields, 10 embeds
// per message and 6,000 characters of text over all of a message's embeds.
import { z } from 'zod';
import { isoDate, text } from './common.js';

/** Discord's field error code for a custom refinement; the compat layer reports it as is (50035). */
export const discordCode = (code: string) => ({ params: { discordCode: code } });

const URL_SCHEMES = ['http:', 'https:', 'attachment:'];
function isUrl(s: string) {
  try {
    return URL_SCHEMES.includes(new URL(s).protocol);
  } catch {
    return false;
  }
}

const url = z.string().max(2048).refine(isUrl, { message: 'Not a well formed URL.', ...discordCode('URL_TYPE_INVALID_URL') });
/** Required text: Discord refuses an empty (or blank) name or value. */
const required = (max: number) => text().trim().min(1).max(max);

export const embed = z.object({
  title: text().max(256).optional(),
  description: text().max(4096).optional(),
  url: url.optional(),
  timestamp: isoDate.optional(),
  color: z.number().int().min(0).max(0xffffff).optional(),
  footer: z.object({ text: required(2048), iconUrl: url.optional() }).optional(),
  image: z.object({ url }).optional(),
  thumbnail: z.object({ url }).optional(),
  author: z.object({ name: required(256), url: url.optional(), iconUrl: url.optional() }).optional(),
  fields: z.array(z.object({ name: required(256), value: required(1024), inline: z.boolean().optional() })).max(25).optional(),
});
export type Embed = z.infer<typeof embed>;

export const MAX_EMBED_TEXT = 6000;

/** The characters Discord counts against the 6,000 limit. */
export function embedTextLength(e: Embed): number {
  const parts = [e.title, e.description, e.footer?.text, e.author?.name, ...(e.fields ?? []).flatMap((f) => [f.name, f.value])];
  return parts.reduce((n, p) => n + (p?.length ?? 0), 0);
}

export const embeds = z
  .array(embed)
  .max(10)
  .superRefine((list, ctx) => {
    const total = list.reduce((n, e) => n + embedTextLength(e), 0);
    if (total > MAX_EMBED_TEXT) {
      ctx.addIssue({ code: 'custom', message: `Embed size exceeds maximum size of ${MAX_EMBED_TEXT}`, ...discordCode('MAX_EMBED_SIZE_EXCEEDED') });
    }
  });
