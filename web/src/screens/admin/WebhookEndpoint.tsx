// One webhook endpoint (ADMIN): what it hears of, changing, disabling, deleting it, a new secret, a test message;
// and its message log with each message's attempts, and sending a message again.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useId, useMemo, useRef, useState } from 'react';
import { adminChanges, adminReads, MESSAGE_STATUSES, type MessageStatus } from '../../api/admin';
import type { WebhookEndpoint, WebhookMessage } from '../../api/types';
import { useDesk } from '../../context';
import { Dialog } from '../../components/Dialog';
import { Empty, ErrorNotice, Loading, Loaded } from '../../components/ui';
import { useAction } from '../../lib/hooks';
import { Link, navigate, paths } from '../../lib/router';
import { formatInstant } from '../../lib/time';
import { ConfirmDialog, SecretPanel } from './parts';
import { EndpointDialog, eventsText, formatLabel } from './Webhooks';

type Open = null | 'edit' | 'delete' | 'rotate';

export function WebhookEndpointPanel({ endpointId }: { endpointId: string }) {
  const { api, business, changed } = useDesk();
  const read = useMemo(() => adminReads(api), [api]);
  const change = useMemo(() => adminChanges(api), [api]);
  const one = useQuery(read.webhook(endpointId));
  const [open, setOpen] = useState<Open>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const toggle = useAction();
  const test = useAction();
  const titleId = useId();
  const rotateButton = useRef<HTMLButtonElement>(null);

  if (one.isPending) return <Loading label="Loading the endpoint…" />;
  if (one.isError && !one.data)
    return (
      <>
        <BackLink />
        <ErrorNotice error={one.error} onRetry={one.error.status === 404 ? undefined : () => void one.refetch()} title="Could not load the endpoint." />
      </>
    );
  const e = one.data;

  const setDisabled = async (disabled: boolean) => {
    setNotice('');
    const saved = await toggle.run(`webhook:${e.id}:disabled:${disabled}`, () => change.updateWebhook(e.id, { disabled }));
    if (saved) {
      changed.admin();
      setNotice(disabled ? 'The endpoint is disabled: nothing is sent to it.' : 'The endpoint is enabled again: the next change is sent to it.');
    }
  };

  const sendTest = async () => {
    setNotice('');
    const message = await test.run(`webhook:${e.id}:test:${Date.now()}`, () => change.sendTest(e.id));
    if (message) {
      changed.admin();
      setNotice(`A test message (webhook.test) was queued. It will appear in the message log below, with each attempt to deliver it.`);
    }
  };

  return (
    <section aria-labelledby={titleId} className="webhook-endpoint">
      <BackLink />
      <div className="pane-head">
        <h2 id={titleId} className="url-heading">
          {e.url}
        </h2>
        {e.disabled ? <span className="badge badge-frozen">Disabled</span> : <span className="badge badge-active">Enabled</span>}
      </div>
      <dl className="facts endpoint-facts">
        <div>
          <dt>Events</dt>
          <dd>{eventsText(e.eventTypes)}</dd>
        </div>
        <div>
          <dt>Format</dt>
          <dd>{formatLabel(e.format)}</dd>
        </div>
        <div>
          <dt>Description</dt>
          <dd>{e.description || '—'}</dd>
        </div>
        <div>
          <dt>Added</dt>
          <dd>{formatInstant(e.createTime, business.timeZone)}</dd>
        </div>
      </dl>
      <div className="toolbar" role="group" aria-label="Endpoint actions">
        <button type="button" className="btn" onClick={() => setOpen('edit')}>
          Change
        </button>
        <button type="button" className="btn" onClick={() => void setDisabled(!e.disabled)} disabled={toggle.busy}>
          {toggle.busy ? 'Saving…' : e.disabled ? 'Enable' : 'Disable'}
        </button>
        <button type="button" className="btn" onClick={() => void sendTest()} disabled={test.busy}>
          {test.busy ? 'Sending…' : 'Send a test message'}
        </button>
        <button type="button" className="btn" onClick={() => setOpen('rotate')} ref={rotateButton}>
          New secret
        </button>
        <button type="button" className="btn btn-danger-outline" onClick={() => setOpen('delete')}>
          Delete
        </button>
      </div>
      {e.disabled && (
        <p className="notice notice-info">This endpoint is disabled: no change is sent to it, only test messages (to check the receiver before enabling it). Enable it to send it changes again.</p>
      )}
      {notice && (
        <div className="notice notice-success" role="status">
          <div>{notice}</div>
        </div>
      )}
      <ErrorNotice error={toggle.error} title={e.disabled ? 'Could not enable the endpoint.' : 'Could not disable the endpoint.'} />
      <ErrorNotice error={test.error} title="The test message was not sent." />
      {secret && (
        <SecretPanel title="New signing secret" label={`Signing secret for ${e.url}`} secret={secret} onDone={() => {
            rotateButton.current?.focus();
            setSecret(null);
          }}>
          <p>For the next 24 hours each delivery is signed with both the old and the new secret: put the new one into the receiver within that time.</p>
        </SecretPanel>
      )}

      <MessageLog endpoint={e} />

      {open === 'edit' && (
        <EndpointDialog
          endpoint={e}
          onClose={() => setOpen(null)}
          onSaved={() => {
            setOpen(null);
            setNotice('The endpoint was changed.');
          }}
        />
      )}
      {open === 'delete' && <DeleteDialog endpoint={e} onClose={() => setOpen(null)} />}
      {open === 'rotate' && (
        <RotateDialog
          endpoint={e}
          onClose={() => setOpen(null)}
          onRotated={(s) => {
            setOpen(null);
            setNotice('');
            setSecret(s);
          }}
        />
      )}
    </section>
  );
}

function BackLink() {
  return (
    <p className="admin-back">
      <Link to={paths.webhooks()}>← All webhook endpoints</Link>
    </p>
  );
}

function DeleteDialog({ endpoint, onClose }: { endpoint: WebhookEndpoint; onClose: () => void }) {
  const { api, changed } = useDesk();
  const change = useMemo(() => adminChanges(api), [api]);
  const action = useAction();
  const remove = async () => {
    const done = await action.run(`webhook:${endpoint.id}:delete`, () => change.deleteWebhook(endpoint.id));
    if (done) {
      changed.admin();
      navigate(paths.webhooks());
    }
  };
  return (
    <ConfirmDialog title="Delete this endpoint?" confirmLabel="Delete the endpoint" busyLabel="Deleting…" busy={action.busy} error={action.error} danger onConfirm={remove} onClose={onClose}>
      <p className="confirm-lead">
        Nothing more is sent to <strong className="url-text">{endpoint.url}</strong>, and its message log is deleted with it.
      </p>
      <p>To stop it for a while instead, disable it: it can be enabled again.</p>
    </ConfirmDialog>
  );
}

function RotateDialog({ endpoint, onClose, onRotated }: { endpoint: WebhookEndpoint; onClose: () => void; onRotated: (secret: string) => void }) {
  const { api, changed } = useDesk();
  const change = useMemo(() => adminChanges(api), [api]);
  const action = useAction();
  const rotate = async () => {
    const r = await action.run(`webhook:${endpoint.id}:rotate`, () => change.rotateSecret(endpoint.id));
    if (r) {
      changed.admin();
      onRotated(r.secret);
    }
  };
  return (
    <ConfirmDialog title="Make a new signing secret?" confirmLabel="Make a new secret" busyLabel="Making…" busy={action.busy} error={action.error} onConfirm={rotate} onClose={onClose}>
      <p className="confirm-lead">The new secret is shown once. The old one keeps working for 24 hours, so the receiver can switch without losing a message.</p>
      <p>After 24 hours only the new secret signs: a receiver still checking the old one refuses every delivery.</p>
    </ConfirmDialog>
  );
}

const STATUS_LABEL: Record<string, string> = { PENDING: 'Pending', DELIVERED: 'Delivered', FAILED: 'Failed' };
const statusLabel = (s: string) => STATUS_LABEL[s] ?? s;
const statusBadge = (s: string) => (s === 'DELIVERED' ? 'badge-active' : s === 'FAILED' ? 'badge-cancelled' : 'badge-not_started');
/** An HTTP status as the log shows it: 0 means no answer came (refused, timed out). */
const responseText = (status: number) => (status === 0 ? 'no answer' : `HTTP ${status}`);

function MessageLog({ endpoint }: { endpoint: WebhookEndpoint }) {
  const { api, business } = useDesk();
  const read = useMemo(() => adminReads(api), [api]);
  const [status, setStatus] = useState<MessageStatus | ''>('');
  const log = useInfiniteQuery(read.webhookMessages(endpoint.id, status));
  const [showing, setShowing] = useState<WebhookMessage | null>(null);
  const ids = { title: useId(), status: useId() };
  const messages = log.data?.pages.flatMap((p) => p.messages) ?? [];
  const tz = business.timeZone;

  return (
    <section className="message-log" aria-labelledby={ids.title}>
      <div className="pane-head">
        <h3 id={ids.title}>Message log</h3>
        <div className="field inline-field">
          <label htmlFor={ids.status}>Status</label>
          <select id={ids.status} value={status} onChange={(e) => setStatus(e.target.value as MessageStatus | '')}>
            <option value="">All</option>
            {MESSAGE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <Loaded query={log} loading="Loading the messages…" failed="Could not load the messages.">
        {() =>
          messages.length === 0 ? (
            <Empty>{status ? `No ${statusLabel(status).toLowerCase()} messages.` : 'No messages yet. Send a test message, or make a change to a package.'}</Empty>
          ) : (
            <>
              <div className="table-wrap">
                <table className="table admin-table">
                  <caption className="visually-hidden">Messages to {endpoint.url}, newest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">Type</th>
                      <th scope="col">Status</th>
                      <th scope="col" className="num">
                        Attempts
                      </th>
                      <th scope="col">Created</th>
                      <th scope="col">Last attempt</th>
                      <th scope="col">Next attempt</th>
                    </tr>
                  </thead>
                  <tbody>
                    {messages.map((m) => (
                      <tr key={m.id}>
                        <th scope="row">
                          <button type="button" className="link-button" onClick={() => setShowing(m)} aria-label={`${m.type}, ${statusLabel(m.status)}: show attempts`}>
                            <code>{m.type}</code>
                          </button>
                          <div className="muted small">{m.id}</div>
                        </th>
                        <td>
                          <span className={`badge ${statusBadge(m.status)}`}>{statusLabel(m.status)}</span>
                        </td>
                        <td className="num">{m.attempts}</td>
                        <td>{formatInstant(m.createTime, tz)}</td>
                        <td>
                          {m.lastAttemptTime ? (
                            <>
                              {formatInstant(m.lastAttemptTime, tz)}
                              <div className="muted small">{responseText(m.lastResponseStatus)}</div>
                            </>
                          ) : (
                            '—'
                          )}
                        </td>
                        <td>{m.nextAttemptTime ? formatInstant(m.nextAttemptTime, tz) : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {log.error && <ErrorNotice error={log.error} onRetry={() => void log.refetch()} title="Could not load more messages." />}
              {log.hasNextPage && (
                <div className="actions">
                  <button type="button" className="btn" onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>
                    {log.isFetchingNextPage ? 'Loading…' : 'Show more'}
                  </button>
                </div>
              )}
            </>
          )
        }
      </Loaded>
      {showing && <AttemptsDialog endpointId={endpoint.id} message={showing} onClose={() => setShowing(null)} />}
    </section>
  );
}

function AttemptsDialog({ endpointId, message, onClose }: { endpointId: string; message: WebhookMessage; onClose: () => void }) {
  const { api, business, changed } = useDesk();
  const read = useMemo(() => adminReads(api), [api]);
  const change = useMemo(() => adminChanges(api), [api]);
  // After Redeliver, asked again every few seconds until the new attempt is there.
  const [sentAt, setSentAt] = useState<number | null>(null);
  const attempts = useQuery({
    ...read.webhookAttempts(endpointId, message.id),
    refetchInterval: (q) => (sentAt !== null && (q.state.data?.length ?? 0) <= sentAt ? 2_000 : false),
  });
  const action = useAction();
  const sent = sentAt !== null;
  const tz = business.timeZone;

  const redeliver = async () => {
    setSentAt(null);
    const before = attempts.data?.length ?? 0;
    const again = await action.run(`redeliver:${message.id}:${Date.now()}`, () => change.redeliver(endpointId, message.id));
    if (again) {
      changed.admin();
      setSentAt(before);
    }
  };

  return (
    <Dialog
      title={`Attempts: ${message.type}`}
      onClose={onClose}
      wide
      actions={
        <button type="button" className="btn btn-primary" onClick={() => void redeliver()} disabled={action.busy}>
          {action.busy ? 'Sending…' : 'Redeliver'}
        </button>
      }
    >
      <p className="muted">
        Message <code>{message.id}</code> (the <code>webhook-id</code>, the same on every attempt), created {formatInstant(message.createTime, tz)}.
      </p>
      {sent && (
        <div className="notice notice-success" role="status">
          <div>Queued to be sent again, with the same webhook-id. The log shows how it goes.</div>
        </div>
      )}
      <ErrorNotice error={action.error} title="It was not sent again." />
      <Loaded query={attempts} loading="Loading the attempts…" failed="Could not load the attempts.">
        {() =>
          attempts.data!.length === 0 ? (
            <Empty>Not attempted yet.</Empty>
          ) : (
            <ol className="attempts">
              {attempts.data!.map((a, i) => (
                <li key={`${a.time}-${i}`} className="attempt">
                  <dl className="facts">
                    <div>
                      <dt>Time</dt>
                      <dd>{formatInstant(a.time, tz)}</dd>
                    </div>
                    <div>
                      <dt>Response</dt>
                      <dd>{responseText(a.responseStatus)}</dd>
                    </div>
                    <div>
                      <dt>Took</dt>
                      <dd>{a.durationMs.toLocaleString()} ms</dd>
                    </div>
                    {a.error && (
                      <div>
                        <dt>Error</dt>
                        <dd>{a.error}</dd>
                      </div>
                    )}
                  </dl>
                  {a.responseBody ? (
                    <pre className="response-body" aria-label={`Response body of attempt ${i + 1} (first 1 KB)`} tabIndex={0}>
                      {a.responseBody}
                    </pre>
                  ) : (
                    <p className="muted small">No response body.</p>
                  )}
                </li>
              ))}
            </ol>
          )
        }
      </Loaded>
    </Dialog>
  );
}
