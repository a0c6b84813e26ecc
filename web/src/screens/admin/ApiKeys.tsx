// API keys (ADMIN): the company's keys, a new one (its text shown once), and revoking one.
import { useQuery } from '@tanstack/react-query';
import { useId, useMemo, useRef, useState } from 'react';
import { adminChanges, adminReads, ROLES, type KeyRole } from '../../api/admin';
import type { ApiKey, CreatedApiKey } from '../../api/types';
import { useDesk } from '../../context';
import { Dialog } from '../../components/Dialog';
import { Empty, ErrorNotice, RoleBadge, Loaded } from '../../components/ui';
import { useAction } from '../../lib/hooks';
import { formatInstant } from '../../lib/time';
import { ConfirmDialog, fieldProblems, SecretPanel } from './parts';

const ROLE_HELP: Record<KeyRole, string> = {
  ADMIN: 'everything: the catalog, corrections, refunds, keys and webhooks',
  STAFF: 'the front desk: look up, sell, redeem, hold, freeze',
  VIEWER: 'look only: nothing can be changed with it',
};

export function ApiKeysPanel() {
  const { api, me, business, businessName } = useDesk();
  const read = useMemo(() => adminReads(api), [api]);
  const list = useQuery(read.apiKeys());
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const titleId = useId();
  const newButton = useRef<HTMLButtonElement>(null);

  // Valid keys first, newest first; revoked ones after them.
  const sorted = useMemo(
    () => [...(list.data ?? [])].sort((a, b) => Number(a.revokeTime !== '') - Number(b.revokeTime !== '') || b.createTime.localeCompare(a.createTime)),
    [list.data],
  );
  const where = (ids: string[]) => (ids.length === 0 ? 'Every business' : ids.map(businessName).join(', '));

  return (
    <section aria-labelledby={titleId}>
      <div className="pane-head">
        <h2 id={titleId}>API keys</h2>
        <button type="button" className="btn btn-primary" onClick={() => setCreating(true)} ref={newButton}>
          New key
        </button>
      </div>
      <p className="muted">
        A key lets a till, a tablet or another system use Punchcard. Give each one its own key, so that one can be revoked without stopping the others.
      </p>
      {created && (
        <SecretPanel title={`New key${created.name ? ` “${created.name}”` : ''}`} label={`${created.role} key`} secret={created.key} onDone={() => {
            newButton.current?.focus();
            setCreated(null);
          }}>
          <p>Paste it where it will be used (the system’s settings, or the sign-in of this app on another device).</p>
        </SecretPanel>
      )}
      <Loaded query={list} loading="Loading the keys…" failed="Could not load the keys.">
        {() =>
          sorted.length === 0 ? (
            <Empty>No keys yet.</Empty>
          ) : (
            <div className="table-wrap">
              <table className="table admin-table">
                <caption className="visually-hidden">API keys</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Role</th>
                    <th scope="col">Starts with</th>
                    <th scope="col">Businesses</th>
                    <th scope="col">Created</th>
                    <th scope="col">State</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {sorted.map((k) => {
                    const revoked = k.revokeTime !== '';
                    const mine = k.id === me.keyId;
                    return (
                      <tr key={k.id} className={revoked ? 'archived' : undefined}>
                        <th scope="row">
                          {k.name || <span className="muted">(no name)</span>}
                          <div className="muted small">{k.id}</div>
                        </th>
                        <td>
                          <RoleBadge role={k.role} />
                        </td>
                        <td>
                          <code className="key-prefix">{k.prefix}</code>
                        </td>
                        <td>{where(k.businessIds)}</td>
                        <td>{formatInstant(k.createTime, business.timeZone)}</td>
                        <td>{revoked ? `Revoked ${formatInstant(k.revokeTime, business.timeZone)}` : mine ? <strong>In use here</strong> : 'Valid'}</td>
                        <td className="row-actions">
                          {revoked ? null : mine ? (
                            <span className="muted small">You are signed in with this key: sign in with another ADMIN key to revoke it.</span>
                          ) : (
                            <button type="button" className="btn btn-small btn-danger-outline" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name || k.prefix}`}>
                              Revoke
                            </button>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
      {creating && (
        <NewKeyDialog
          onClose={() => setCreating(false)}
          onCreated={(k) => {
            setCreating(false);
            setCreated(k);
          }}
        />
      )}
      {revoking && <RevokeDialog apiKey={revoking} onClose={() => setRevoking(null)} />}
    </section>
  );
}

function NewKeyDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (k: CreatedApiKey) => void }) {
  const { api, businesses, changed } = useDesk();
  const change = useMemo(() => adminChanges(api), [api]);
  const [name, setName] = useState('');
  const [role, setRole] = useState<KeyRole>('STAFF');
  const [limited, setLimited] = useState<string[]>([]);
  const action = useAction();
  const ids = { name: useId(), role: useId(), roleHelp: useId(), nameError: useId() };
  const nameProblems = fieldProblems(action.error, 'name');
  const businessProblems = fieldProblems(action.error, 'businessIds');

  const submit = async () => {
    const body = { name: name.trim(), role, ...(limited.length > 0 ? { businessIds: limited } : {}) };
    const k = await action.run(`apiKey:${JSON.stringify(body)}`, () => change.createApiKey(body));
    if (k) {
      changed.admin();
      onCreated(k);
    }
  };

  return (
    <Dialog
      title="New API key"
      onClose={onClose}
      busy={action.busy}
      onSubmit={submit}
      actions={
        <button type="submit" className="btn btn-primary" disabled={action.busy}>
          {action.busy ? 'Making the key…' : 'Make the key'}
        </button>
      }
    >
      <div className="field">
        <label htmlFor={ids.name}>Name</label>
        <input
          id={ids.name}
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={200}
          placeholder="Front desk tablet, booking system…"
          aria-invalid={nameProblems.length > 0 || undefined}
          aria-describedby={nameProblems.length > 0 ? ids.nameError : undefined}
        />
        <div className="hint">Who or what will use it, so that you know which key to revoke later.</div>
        {nameProblems.length > 0 && (
          <p className="field-error" id={ids.nameError}>
            {nameProblems.join(' ')}
          </p>
        )}
      </div>
      <fieldset className="checks">
        <legend>Role</legend>
        {ROLES.map((r) => (
          <label key={r} className="check">
            <input type="radio" name="role" value={r} checked={role === r} onChange={() => setRole(r)} />
            <span>
              <strong>{r}</strong> <span className="muted">— {ROLE_HELP[r]}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {businesses.length > 0 && (
        <fieldset className="checks">
          <legend>Limited to</legend>
          <p className="hint">None checked: every business, including ones added later.</p>
          {businesses.map((b) => (
            <label key={b.id} className="check">
              <input type="checkbox" checked={limited.includes(b.id)} onChange={(e) => setLimited(e.target.checked ? [...limited, b.id] : limited.filter((x) => x !== b.id))} />
              {b.name}
            </label>
          ))}
          {businessProblems.length > 0 && <p className="field-error">{businessProblems.join(' ')}</p>}
        </fieldset>
      )}
      <ErrorNotice error={action.error} />
    </Dialog>
  );
}

function RevokeDialog({ apiKey, onClose }: { apiKey: ApiKey; onClose: () => void }) {
  const { api, changed } = useDesk();
  const change = useMemo(() => adminChanges(api), [api]);
  const action = useAction();
  const label = apiKey.name ? `“${apiKey.name}”` : `the key ${apiKey.prefix}`;
  const revoke = async () => {
    const done = await action.run(`revoke:${apiKey.id}`, () => change.revokeApiKey(apiKey.id));
    // Refreshed either way: a refusal may mean it was revoked meanwhile (from another screen or the command line).
    changed.admin();
    if (done) onClose();
  };
  return (
    <ConfirmDialog title={`Revoke ${label}?`} confirmLabel="Revoke the key" busyLabel="Revoking…" busy={action.busy} error={action.error} danger onConfirm={revoke} onClose={onClose}>
      <p className="confirm-lead">
        Anything using this key stops working at once: a till, a tablet or a system signed in with it gets “not accepted” on its next request.
      </p>
      <p>A revoked key cannot be brought back. To keep that system working, make it a new key first.</p>
    </ConfirmDialog>
  );
}
