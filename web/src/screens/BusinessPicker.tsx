// Which business is at this counter: its time zone dates the packages, and redemptions are recorded there.
import { useState, type FormEvent } from 'react';
import type { changes } from '../api/mutations';
import type { Business, Me } from '../api/types';
import { ErrorNotice, RoleBadge } from '../components/ui';
import { useAction } from '../lib/hooks';
import { slugId } from '../lib/ids';

/**
 * The zones to offer, always with UTC and the one chosen: Intl lists canonical zones only, without "UTC", so a
 * browser in UTC showed the first option (Africa/Abidjan) while the form held UTC.
 */
export function timeZones(current = ''): string[] {
  let zones: string[];
  try {
    zones = (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    zones = [];
  }
  const extra = ['UTC', current].filter((z) => z && !zones.includes(z));
  return [...new Set([...extra, ...zones])];
}

export function BusinessPicker(props: {
  businesses: Business[];
  me: Me;
  change: ReturnType<typeof changes>;
  onChoose: (id: string) => void;
  onCreated: (b: Business) => void;
  onSignOut: () => void;
}) {
  const { businesses, me } = props;
  return (
    <main className="signin" id="main">
      <div className="card picker-card">
        <div className="picker-head">
          <h1>Choose a business</h1>
          <RoleBadge role={me.role} />
        </div>
        {businesses.length === 0 ? (
          <p>{me.role === 'ADMIN' ? 'This company has no business yet. Add the first one:' : 'No business is set up for this key yet. Ask an administrator to add one.'}</p>
        ) : (
          <ul className="picker-list">
            {businesses.map((b, i) => (
              <li key={b.id}>
                {/* Focus starts on the first business: Enter picks it, arrows and Tab move on. */}
                <button type="button" className="picker-item" onClick={() => props.onChoose(b.id)} autoFocus={i === 0}>
                  <span className="picker-name">{b.name}</span>
                  <span className="muted">
                    {b.timeZone} · {b.currencyCode}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
        {me.role === 'ADMIN' && <NewBusiness change={props.change} onCreated={props.onCreated} open={businesses.length === 0} />}
        <button type="button" className="btn btn-ghost" onClick={props.onSignOut}>
          Sign out
        </button>
      </div>
    </main>
  );
}

function NewBusiness({ change, onCreated, open }: { change: ReturnType<typeof changes>; onCreated: (b: Business) => void; open: boolean }) {
  const [name, setName] = useState('');
  const [timeZone, setTimeZone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const [currencyCode, setCurrency] = useState('USD');
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    const body = { name: name.trim(), timeZone, currencyCode: currencyCode.trim().toUpperCase() };
    const id = slugId('biz', body.name);
    const b = await action.run(`business:${JSON.stringify(body)}`, () => change.upsertBusiness(id, body));
    if (b) onCreated(b);
  };
  return (
    <details className="new-business" open={open}>
      <summary>Add a business</summary>
      <form onSubmit={submit} className="stack">
        <div className="field">
          <label htmlFor="biz-name">Name</label>
          <input id="biz-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
        </div>
        <div className="row">
          <div className="field grow">
            <label htmlFor="biz-tz">Time zone</label>
            <select id="biz-tz" value={timeZone} onChange={(e) => setTimeZone(e.target.value)}>
              {timeZones(timeZone).map((z) => (
                <option key={z}>{z}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="biz-cur">Currency</label>
            <input id="biz-cur" value={currencyCode} onChange={(e) => setCurrency(e.target.value)} maxLength={3} size={4} required />
          </div>
        </div>
        <ErrorNotice error={action.error} />
        <button type="submit" className="btn btn-primary" disabled={action.busy || !name.trim()}>
          {action.busy ? 'Adding…' : 'Add business'}
        </button>
      </form>
    </details>
  );
}
