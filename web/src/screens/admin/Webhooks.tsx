// Webhook endpoints (ADMIN): where the company's systems hear of every package change. The list, a new endpoint
// (its signing secret shown once), and the form that adds or changes one.
import { useQuery } from '@tanstack/react-query';
import { useId, useMemo, useRef, useState } from 'react';
import { adminChanges, adminReads, WEBHOOK_EVENT_TYPES, WEBHOOK_FORMATS, type WebhookFormat } from '../../api/admin';
import type { CreatedWebhookEndpoint, WebhookEndpoint } from '../../api/types';
import { useDesk } from '../../context';
import { Dialog } from '../../components/Dialog';
import { Empty, ErrorNotice, Loaded } from '../../components/ui';
import { useAction } from '../../lib/hooks';
import { Link, paths } from '../../lib/router';
import { fieldProblems, SecretPanel } from './parts';

export const eventsText = (types: readonly string[]) => (types.length === 0 ? 'All events' : types.join(', '));

export function WebhooksPanel() {
  const { api } = useDesk();
  const read = useMemo(() => adminReads(api), [api]);
  const list = useQuery(read.webhooks());
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedWebhookEndpoint | null>(null);
  const titleId = useId();
  const newButton = useRef<HTMLButtonElement>(null);

  return (
    <section aria-labelledby={titleId}>
      <div className="pane-head">
        <h2 id={titleId}>Webhook endpoints</h2>
        <button type="button" className="btn btn-primary" onClick={() => setCreating(true)} ref={newButton}>
          New endpoint
        </button>
      </div>
      <p className="muted">
        Punchcard sends each package change (a sale, a visit, a freeze…) as it happens to these addresses, signed with the endpoint’s secret.
      </p>
      {created && (
        <SecretPanel title="Endpoint added: its signing secret" label={`Signing secret for ${created.url}`} secret={created.secret} onDone={() => {
            newButton.current?.focus();
            setCreated(null);
          }}>
          <p>
            The receiver checks each delivery’s <code>webhook-signature</code> with this secret (Standard Webhooks).{' '}
            <Link to={paths.webhook(created.id)}>Open the endpoint</Link> to send it a test message.
          </p>
        </SecretPanel>
      )}
      <Loaded query={list} loading="Loading the endpoints…" failed="Could not load the webhook endpoints.">
        {() =>
          list.data!.length === 0 ? (
            <Empty>No webhook endpoints yet.</Empty>
          ) : (
            <div className="table-wrap">
              <table className="table admin-table">
                <caption className="visually-hidden">Webhook endpoints</caption>
                <thead>
                  <tr>
                    <th scope="col">Address</th>
                    <th scope="col">Events</th>
                    <th scope="col">Format</th>
                    <th scope="col">State</th>
                    <th scope="col">Description</th>
                  </tr>
                </thead>
                <tbody>
                  {list.data!.map((e) => (
                    <tr key={e.id} className={e.disabled ? 'archived' : undefined}>
                      <th scope="row" className="url-cell">
                        <Link to={paths.webhook(e.id)}>{e.url}</Link>
                      </th>
                      <td className="events-cell">{eventsText(e.eventTypes)}</td>
                      <td>{formatLabel(e.format)}</td>
                      <td>{e.disabled ? <span className="badge badge-frozen">Disabled</span> : <span className="badge badge-active">Enabled</span>}</td>
                      <td>{e.description || <span className="muted">—</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
      {creating && (
        <EndpointDialog
          endpoint={null}
          onClose={() => setCreating(false)}
          onSaved={(e) => {
            setCreating(false);
            if ('secret' in e) setCreated(e);
          }}
        />
      )}
    </section>
  );
}

export const formatLabel = (format: string) => (format === 'zenoti' ? 'Zenoti' : format === 'standard' ? 'Standard' : format);

const FORMAT_HELP: Record<WebhookFormat, string> = {
  standard: 'Punchcard’s own JSON: the change and the package after it',
  zenoti: 'Zenoti’s guest-package webhook envelope, for systems written against Zenoti',
};

/** Adds an endpoint (endpoint null) or changes one: address, events, description and (when changing) disabled. */
export function EndpointDialog({
  endpoint,
  onClose,
  onSaved,
}: {
  endpoint: WebhookEndpoint | null;
  onClose: () => void;
  onSaved: (e: WebhookEndpoint | CreatedWebhookEndpoint) => void;
}) {
  const { api, changed } = useDesk();
  const change = useMemo(() => adminChanges(api), [api]);
  const [url, setUrl] = useState(endpoint?.url ?? '');
  const [every, setEvery] = useState(endpoint ? endpoint.eventTypes.length === 0 : true);
  const [types, setTypes] = useState<string[]>(endpoint?.eventTypes ?? []);
  const [format, setFormat] = useState<WebhookFormat>('standard');
  const [description, setDescription] = useState(endpoint?.description ?? '');
  const [disabled, setDisabled] = useState(endpoint?.disabled ?? false);
  const [tried, setTried] = useState(false);
  const action = useAction();
  const ids = { url: useId(), urlError: useId(), urlHint: useId(), description: useId(), eventsError: useId() };

  const urlTrimmed = url.trim();
  const urlProblem = urlTrimmed === '' ? 'Enter the address that receives the messages.' : /^https?:\/\/\S+$/i.test(urlTrimmed) ? '' : 'Enter an address starting with http:// or https://.';
  const eventsProblem = !every && types.length === 0 ? 'Choose at least one event, or every event.' : '';
  const urlProblems = [...(tried && urlProblem ? [urlProblem] : []), ...fieldProblems(action.error, 'url')];
  const eventProblems = [...(tried && eventsProblem ? [eventsProblem] : []), ...fieldProblems(action.error, 'eventTypes')];
  const formatProblems = fieldProblems(action.error, 'format');
  const descriptionProblems = fieldProblems(action.error, 'description');
  // Types this screen does not know (added to the API since) are kept, shown and sent back as they are.
  const unknownTypes = (endpoint?.eventTypes ?? []).filter((t) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(t));
  const choices: readonly string[] = [...WEBHOOK_EVENT_TYPES, ...unknownTypes];
  // The contract's order, whatever order they were checked in.
  const eventTypes = every ? [] : choices.filter((t) => types.includes(t));

  const submit = async () => {
    setTried(true);
    if (urlProblem || eventsProblem) return;
    const fields = { url: urlTrimmed, eventTypes, description: description.trim() };
    const saved = endpoint
      ? await action.run(`webhook:${endpoint.id}:${JSON.stringify({ ...fields, disabled })}`, () => change.updateWebhook(endpoint.id, { ...fields, disabled }))
      : await action.run(`webhook:new:${JSON.stringify({ ...fields, format })}`, () => change.createWebhook({ ...fields, format }));
    if (saved) {
      changed.admin();
      onSaved(saved);
    }
  };

  return (
    <Dialog
      title={endpoint ? 'Change the endpoint' : 'New webhook endpoint'}
      onClose={onClose}
      busy={action.busy}
      onSubmit={submit}
      wide
      actions={
        <button type="submit" className="btn btn-primary" disabled={action.busy}>
          {action.busy ? 'Saving…' : endpoint ? 'Save changes' : 'Add the endpoint'}
        </button>
      }
    >
      <div className="field">
        <label htmlFor={ids.url}>Address (URL)</label>
        <input
          id={ids.url}
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder="https://booking.example.com/punchcard"
          maxLength={2000}
          required
          aria-invalid={urlProblems.length > 0 || undefined}
          aria-describedby={[ids.urlHint, urlProblems.length > 0 ? ids.urlError : ''].filter(Boolean).join(' ')}
        />
        <div className="hint" id={ids.urlHint}>
          http or https; an address on your own network (192.168…) is fine.
        </div>
        {urlProblems.length > 0 && (
          <p className="field-error" id={ids.urlError}>
            {urlProblems.join(' ')}
          </p>
        )}
      </div>

      <fieldset className="checks" aria-describedby={eventProblems.length > 0 ? ids.eventsError : undefined}>
        <legend>Events</legend>
        <label className="check">
          <input type="radio" name="every" checked={every} onChange={() => setEvery(true)} />
          All events, including kinds added later
        </label>
        <label className="check">
          <input type="radio" name="every" checked={!every} onChange={() => setEvery(false)} />
          Only the events checked below
        </label>
        {!every && (
          <div className="event-checks">
            {choices.map((t) => (
              <label key={t} className="check">
                <input type="checkbox" checked={types.includes(t)} onChange={(e) => setTypes(e.target.checked ? [...types, t] : types.filter((x) => x !== t))} />
                <code>{t}</code>
              </label>
            ))}
          </div>
        )}
        {eventProblems.length > 0 && (
          <p className="field-error" id={ids.eventsError}>
            {eventProblems.join(' ')}
          </p>
        )}
      </fieldset>

      {endpoint ? (
        <p className="muted">
          Format: {formatLabel(endpoint.format)} (it is chosen when the endpoint is added; to change it, add a new endpoint).
        </p>
      ) : (
        <fieldset className="checks">
          <legend>Format</legend>
          {WEBHOOK_FORMATS.map((f) => (
            <label key={f} className="check">
              <input type="radio" name="format" value={f} checked={format === f} onChange={() => setFormat(f)} />
              <span>
                <strong>{formatLabel(f)}</strong> <span className="muted">— {FORMAT_HELP[f]}</span>
              </span>
            </label>
          ))}
          {formatProblems.length > 0 && <p className="field-error">{formatProblems.join(' ')}</p>}
        </fieldset>
      )}

      <div className="field">
        <label htmlFor={ids.description}>Description</label>
        <input id={ids.description} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} placeholder="Booking system at the front desk" />
        {descriptionProblems.length > 0 && <p className="field-error">{descriptionProblems.join(' ')}</p>}
      </div>

      {endpoint && (
        <div className="field">
          <label className="check">
            <input type="checkbox" checked={disabled} onChange={(e) => setDisabled(e.target.checked)} />
            Disabled: send nothing to this address
          </label>
          {disabled && !endpoint.disabled && <p className="hint">Messages still waiting to be sent are marked failed.</p>}
          {!disabled && endpoint.disabled && <p className="hint">Sending resumes with the next change; messages that failed meanwhile are not sent again by themselves.</p>}
        </div>
      )}

      <ErrorNotice error={action.error} title={endpoint ? 'The endpoint was not changed.' : 'The endpoint was not added.'} />
    </Dialog>
  );
}
