// Signed, expiring attachment URLs shaped like Discord's CDN:
// /attachments/{channel}/{attachment}/{filename}?ex={expires}&is={issued}&hm={mac}, hex seconds and
// an HMAC-SHA256 over the ids and both times. Issue times are rounded to half the lifetime, so a
// message read twice gets the same URL (caches work) and every URL handed out is valid for at least
// half of ATTACHMENT_URL_TTL_SECONDS.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AppDeps } from '../deps.js';

type Deps = Pick<AppDeps, 'config' | 'urls'>;

function mac(secret: string, channelId: string, attachmentId: string, ex: string, is: string): string {
  const key = createHmac('sha256', secret).update('attachment-urls').digest();
  return createHmac('sha256', key).update(`${channelId}/${attachmentId}:${ex}:${is}`).digest('hex');
}

export function attachmentUrl(deps: Deps, channelId: bigint, attachmentId: bigint, filename: string, now = Date.now()): string {
  const ttl = deps.config.ATTACHMENT_URL_TTL_SECONDS;
  const step = Math.max(1, Math.floor(ttl / 2));
  const issued = Math.floor(now / 1000 / step) * step;
  const ex = (issued + ttl).toString(16);
  const is = issued.toString(16);
  const hm = mac(deps.config.JWT_SECRET, String(channelId), String(attachmentId), ex, is);
  return `${deps.urls.cdn}/attachments/${channelId}/${attachmentId}/${encodeURIComponent(filename)}?ex=${ex}&is=${is}&hm=${hm}`;
}

/** True when the query carries this attachment's own signature and it has not expired. */
export function validAttachmentSignature(deps: Pick<AppDeps, 'config'>, channelId: string, attachmentId: string, query: URLSearchParams, now = Date.now()): boolean {
  const ex = query.get('ex') ?? '';
  const is = query.get('is') ?? '';
  const hm = query.get('hm') ?? '';
  if (!/^[0-9a-f]{1,12}$/.test(ex) || !/^[0-9a-f]{1,12}$/.test(is) || !/^[0-9a-f]{64}$/.test(hm)) return false;
  if (parseInt(ex, 16) * 1000 <= now) return false;
  const expected = Buffer.from(mac(deps.config.JWT_SECRET, channelId, attachmentId, ex, is), 'hex');
  return timingSafeEqual(expected, Buffer.from(hm, 'hex'));
}
