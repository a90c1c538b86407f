// Server settings for those allowed: the name (Manage Server), and roles (Manage Roles): create,
// choose their permissions, give them to members, delete. The server checks each change again
// (role hierarchy included) and its error is shown.
import { useState, type FormEvent } from 'react';
import { Permissions } from '../../../shared/permissions.js';
import type { Role } from '../../../shared/schemas/role.js';
import { useServices } from '../context.js';
import { useAction } from '../use-action.js';
import { can } from '../permissions.js';
import type { GuildView } from '../store.js';
import { Dialog } from './dialog.js';
import { ErrorText } from './error-text.js';

/** The permissions offered here, with their names in Discord's client. */
const PERMISSION_CHOICES: [keyof typeof Permissions, string][] = [
  ['ADMINISTRATOR', 'Administrator'],
  ['MANAGE_GUILD', 'Manage server'],
  ['MANAGE_ROLES', 'Manage roles'],
  ['MANAGE_CHANNELS', 'Manage channels'],
  ['KICK_MEMBERS', 'Kick members'],
  ['BAN_MEMBERS', 'Ban members'],
  ['MANAGE_MESSAGES', 'Manage messages'],
  ['MENTION_EVERYONE', 'Mention @everyone'],
  ['CREATE_INSTANT_INVITE', 'Create invites'],
  ['SEND_MESSAGES', 'Send messages'],
  ['ADD_REACTIONS', 'Add reactions'],
];

export function ServerSettingsDialog({ guild, onClose }: { guild: GuildView; onClose(): void }) {
  const { api, store } = useServices();
  const { error, run } = useAction();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const guildId = guild.guild.id;
  const roles = [...guild.guild.roles].sort((a, b) => b.position - a.position);
  const selected = roles.find((r) => r.id === selectedId);

  const rename = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const name = String(new FormData(e.currentTarget).get('name') ?? '');
    void run(async () => store.updateGuildInfo(await api.guilds.update.mutate({ guildId, name })));
  };
  const createRole = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const name = String(new FormData(form).get('role') ?? '');
    void run(async () => {
      const role = await api.roles.create.mutate({ guildId, name, permissions: '0' });
      store.upsertRole(role);
      setSelectedId(role.id);
      form.reset();
    });
  };

  return (
    <Dialog title="Server settings" onClose={onClose}>
      {can(guild, 'MANAGE_GUILD') && (
        <form onSubmit={rename} className="inline-form">
          <label>
            Server name
            <input name="name" required minLength={2} maxLength={100} defaultValue={guild.guild.name} />
          </label>
          <button type="submit">Save name</button>
        </form>
      )}
      {can(guild, 'MANAGE_ROLES') && (
        <section aria-label="Roles" className="roles">
          <h3>Roles</h3>
          <ul className="role-list">
            {roles.map((r) => (
              <li key={r.id}>
                <button type="button" className={r.id === selectedId ? '' : 'secondary'} aria-pressed={r.id === selectedId} onClick={() => setSelectedId(r.id)}>
                  {r.id === guildId ? '@everyone' : r.name}
                </button>
              </li>
            ))}
          </ul>
          <form onSubmit={createRole} className="inline-form">
            <label>
              New role name
              <input name="role" required maxLength={100} />
            </label>
            <button type="submit">Create role</button>
          </form>
          {selected && <RoleEditor key={selected.id} guild={guild} role={selected} run={run} onDeleted={() => setSelectedId(null)} />}
        </section>
      )}
      <ErrorText error={error} />
    </Dialog>
  );
}

function RoleEditor({ guild, role, run, onDeleted }: { guild: GuildView; role: Role; run(action: () => Promise<unknown>): Promise<void>; onDeleted(): void }) {
  const { api, store } = useServices();
  const guildId = guild.guild.id;
  const isEveryone = role.id === guildId;
  const name = isEveryone ? '@everyone' : role.name;
  const bits = BigInt(role.permissions);

  const toggle = (permission: keyof typeof Permissions, on: boolean) =>
    run(async () => {
      const next = on ? bits | Permissions[permission] : bits & ~Permissions[permission];
      store.upsertRole(await api.roles.update.mutate({ guildId, roleId: role.id, permissions: String(next) }));
    });
  const assign = (userId: string, on: boolean) =>
    run(async () => store.addMember(await (on ? api.members.addRole : api.members.removeRole).mutate({ guildId, userId, roleId: role.id })));
  const remove = () =>
    confirm(`Delete the role ${name}?`) &&
    run(async () => {
      await api.roles.delete.mutate({ guildId, roleId: role.id });
      store.removeRole(guildId, role.id);
      onDeleted();
    });

  return (
    <div className="role-editor">
      <fieldset>
        <legend>Permissions of {name}</legend>
        {PERMISSION_CHOICES.map(([permission, label]) => (
          <label key={permission} className="check">
            <input type="checkbox" checked={(bits & Permissions[permission]) !== 0n} onChange={(e) => void toggle(permission, e.target.checked)} /> {label}
          </label>
        ))}
      </fieldset>
      {!isEveryone && !role.managed && (
        <fieldset>
          <legend>Members with {name}</legend>
          {Object.values(guild.members).map((m) => (
            <label key={m.user.id} className="check">
              <input type="checkbox" checked={m.roles.includes(role.id)} onChange={(e) => void assign(m.user.id, e.target.checked)} /> {m.nick ?? m.user.displayName ?? m.user.username}
            </label>
          ))}
        </fieldset>
      )}
      {!isEveryone && !role.managed && (
        <button type="button" className="danger" onClick={() => void remove()}>
          Delete role
        </button>
      )}
    </div>
  );
}
