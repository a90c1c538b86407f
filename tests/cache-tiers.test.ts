// The process-local cache tier (TieredCache) in front of Redis: a permission revoked through one
// server process is enforced at once by another that had the grant cached locally.
import { describe, expect, it } from 'vitest';
import { Permissions } from '../shared/permissions.js';
import { errorOf, httpClient } from './helpers/clients.js';
import { createGuild } from './helpers/guilds.js';
import { hasRedis, startTestServer } from './helpers/server.js';

describe.skipIf(!hasRedis())('local cache tier across processes', () => {
  it('a revocation made on one process is enforced immediately on another', async () => {
    const a = await startTestServer();
    const b = await startTestServer();
    const { owner, members, generalId, guild } = await createGuild(a.url, { memberCount: 1 });
    const member = members[0]!;
    const onA = httpClient(a.url, member.accessToken);
    const ownerOnB = httpClient(b.url, owner.accessToken);
    for (let round = 0; round < 10; round++) {
      // warm process A's local copy with "allowed"
      await onA.messages.send.mutate({ channelId: generalId, content: `round ${round}` });
      await onA.messages.send.mutate({ channelId: generalId, content: `round ${round} again` });
      await ownerOnB.channels.setOverwrite.mutate({ channelId: generalId, targetId: guild.id, type: 0, deny: String(Permissions.SEND_MESSAGES) });
      expect(await errorOf(onA.messages.send.mutate({ channelId: generalId, content: 'denied' }))).toMatchObject({ code: 'FORBIDDEN' });
      await ownerOnB.channels.deleteOverwrite.mutate({ channelId: generalId, targetId: guild.id });
      await onA.messages.send.mutate({ channelId: generalId, content: `allowed again ${round}` });
    }
    const history = await onA.messages.list.query({ channelId: generalId, limit: 100 });
    expect(history.some((m) => m.content === 'denied')).toBe(false);
  });
});
