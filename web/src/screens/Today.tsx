// The counter's day: every hold waiting at this business (soonest to lapse first), each to use or release in
// one press, and what has been used here today.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import type { ListedRedemption } from '../api/types';
import { useDesk } from '../context';
import { Empty, ErrorNotice, Loading, Loaded } from '../components/ui';
import { useAction } from '../lib/hooks';
import { Link, paths } from '../lib/router';
import { formatInstant, todayIn } from '../lib/time';
import './today.css';

const PAGE_SIZE = 25;

export function TodayScreen() {
  const { business } = useDesk();
  // Another business at the counter is another day's list: nothing of the last one's notes or focus carries over.
  return <TodayAt key={business.id} />;
}

type Note = { kind: 'done'; text: string } | { kind: 'refused'; title: string; error: ApiError };
type Verb = 'use' | 'release';

const what = (r: ListedRedemption) => `${r.quantity} × ${r.serviceName}`;

function TodayAt() {
  const { read, business, can, changed } = useDesk();
  const now = useNow(30_000);
  // A hold that lapses while the screen is open leaves the list at the next refresh.
  const holds = useInfiniteQuery({ ...read.redemptionPages({ status: 'PENDING', businessId: business.id, orderBy: 'holdExpireTime' }, PAGE_SIZE), refetchInterval: 60_000 });
  const [done, setDone] = useState<ReadonlySet<string>>(() => new Set());
  const [note, setNote] = useState<Note | null>(null);
  // Where focus goes once the row acted on has left: a row's id (its Use button), or null for the heading.
  const [focusNext, setFocusNext] = useState<string | null | undefined>(undefined);
  const heading = useRef<HTMLHeadingElement>(null);
  const buttons = useRef(new Map<string, HTMLButtonElement>());

  const listed = useMemo(() => {
    const seen = new Map<string, ListedRedemption>();
    for (const p of holds.data?.pages ?? []) for (const r of p.redemptions) if (!seen.has(r.id)) seen.set(r.id, r);
    return [...seen.values()];
  }, [holds.data]);
  // A hold used or released here leaves at once, before the list comes back without it.
  const shown = listed.filter((r) => !done.has(r.id));

  useEffect(() => {
    if (focusNext === undefined) return;
    const target = (focusNext && buttons.current.get(focusNext)) || heading.current;
    target?.focus();
    setFocusNext(undefined);
  }, [focusNext]);

  const leave = (row: ListedRedemption, next: Note) => {
    const i = shown.findIndex((r) => r.id === row.id);
    const neighbour = shown[i + 1] ?? shown[i - 1];
    setDone((d) => new Set(d).add(row.id));
    setNote(next);
    setFocusNext(neighbour ? neighbour.id : null);
  };

  const canWrite = can('write');
  const failed = holds.isError && !holds.isFetchNextPageError;
  return (
    <div className="today">
      <h1>Today at {business.name}</h1>
      <div className="today-status" role="status" aria-live="polite">
        {note?.kind === 'done' && <p className="notice notice-success">{note.text}</p>}
      </div>
      {note?.kind === 'refused' && <ErrorNotice error={note.error} title={note.title} />}

      <section className="card" aria-labelledby="holds-title">
        <h2 id="holds-title" ref={heading} tabIndex={-1}>
          Holds waiting{shown.length > 0 ? ` (${shown.length}${holds.hasNextPage ? '+' : ''})` : ''}
        </h2>
        {holds.isPending ? (
          <Loading label="Loading the holds…" />
        ) : failed && listed.length === 0 ? (
          <ErrorNotice error={holds.error} onRetry={() => void holds.refetch()} title="Could not load the holds." />
        ) : shown.length === 0 && !holds.hasNextPage ? (
          <Empty>No holds waiting at {business.name}</Empty>
        ) : (
          <ul className="today-holds" aria-label="Holds waiting, soonest to lapse first">
            {shown.map((r) => (
              <HoldRow
                key={r.id}
                hold={r}
                now={now}
                canWrite={canWrite}
                registerUse={(el) => {
                  if (el) buttons.current.set(r.id, el);
                  else buttons.current.delete(r.id);
                }}
                onDone={(verb) => {
                  leave(r, { kind: 'done', text: `${verb === 'use' ? 'Used' : 'Released'} ${what(r)} for ${r.customerName}.` });
                }}
                onGone={(verb, error) => {
                  // The list was out of date (used or released elsewhere, or lapsed): say so and read it again.
                  changed.package();
                  leave(r, { kind: 'refused', title: `Could not ${verb} ${what(r)} for ${r.customerName}.`, error });
                }}
              />
            ))}
          </ul>
        )}
        {failed && listed.length > 0 && <ErrorNotice error={holds.error} onRetry={() => void holds.refetch()} />}
        {holds.hasNextPage && (
          <button type="button" className="btn btn-block" onClick={() => void holds.fetchNextPage()} disabled={holds.isFetchingNextPage}>
            {holds.isFetchingNextPage ? 'Loading…' : 'Show more'}
          </button>
        )}
        <ErrorNotice error={holds.isFetchNextPageError ? holds.error : null} onRetry={() => void holds.fetchNextPage()} />
      </section>

      <UsedToday now={now} />
    </div>
  );
}

function HoldRow(props: {
  hold: ListedRedemption;
  now: number;
  canWrite: boolean;
  registerUse: (el: HTMLButtonElement | null) => void;
  onDone: (verb: Verb) => void;
  onGone: (verb: Verb, error: ApiError) => void;
}) {
  const { hold: r, now } = props;
  const { change, changed, business } = useDesk();
  const action = useAction();
  const tz = business.timeZone;

  const act = async (verb: Verb) => {
    let refused = null as ApiError | null;
    const result = await action.run(`${verb}:${r.id}`, async (key) => {
      try {
        return await (verb === 'use' ? change.commitHold(r.id, key) : change.releaseHold(r.id, key));
      } catch (e) {
        refused = ApiError.from(e);
        throw e;
      }
    });
    if (result) {
      changed.package(result.package);
      props.onDone(verb);
    } else if (refused && (refused.reason === 'HOLD_NOT_PENDING' || refused.code === 'NOT_FOUND')) {
      props.onGone(verb, refused);
    }
  };

  const until = untilText(r.holdExpireTime, now);
  return (
    <li className="today-hold">
      <div className="today-hold-main">
        <div className="today-hold-what">
          <Link to={paths.customer(r.customerId)} className="today-customer">
            {r.customerName || r.customerId}
          </Link>{' '}
          <span className="today-quantity">{what(r)}</span>
        </div>
        <div className="muted">
          <Link to={paths.package(r.packageId)}>{r.packageName}</Link>
          {r.appointmentId ? <> · appointment {r.appointmentId}</> : <> · no appointment</>}
        </div>
        <div className="muted">
          held <time dateTime={r.redeemTime}>{formatInstant(r.redeemTime, tz)}</time> · expires{' '}
          {r.holdExpireTime ? (
            <>
              <time dateTime={r.holdExpireTime}>{formatInstant(r.holdExpireTime, tz)}</time>{' '}
              <span className={until === 'expired' ? 'today-expired' : 'today-until'}>({until})</span>
            </>
          ) : (
            'never'
          )}
        </div>
        <ErrorNotice error={action.error} />
      </div>
      {props.canWrite && (
        <div className="actions">
          <button
            type="button"
            className="btn btn-primary"
            ref={props.registerUse}
            onClick={() => void act('use')}
            disabled={action.busy}
            aria-label={`Use ${what(r)} for ${r.customerName}`}
          >
            Use
          </button>
          <button type="button" className="btn" onClick={() => void act('release')} disabled={action.busy} aria-label={`Release ${what(r)} for ${r.customerName}`}>
            Release
          </button>
        </div>
      )}
    </li>
  );
}

/** What was used at this business since the start of its day, newest first (read only), by the time of the visit or the hold. */
function UsedToday({ now }: { now: number }) {
  const { read, business } = useDesk();
  const day = todayIn(business.timeZone, new Date(now));
  const used = useQuery(read.redemptions({ status: 'COMMITTED', businessId: business.id, from: day }));
  const list = used.data?.redemptions ?? [];
  return (
    <section className="card" aria-labelledby="used-title">
      <h2 id="used-title">Used today</h2>
      <Loaded query={used} loading="Loading today’s visits…" failed="Could not load today’s visits.">
        {() =>
          list.length === 0 ? (
            <p className="muted">Nothing used here yet today.</p>
          ) : (
            <>
              <ul className="today-used" aria-label="Used today, newest first">
                {list.map((r) => (
                  <li key={r.id}>
                    <time dateTime={r.redeemTime}>{clock(r.redeemTime, business.timeZone)}</time>{' '}
                    <Link to={paths.customer(r.customerId)}>{r.customerName || r.customerId}</Link> · {what(r)} ·{' '}
                    <Link to={paths.package(r.packageId)}>{r.packageName}</Link>
                    {r.appointmentId && <span className="muted"> · appointment {r.appointmentId}</span>}
                  </li>
                ))}
              </ul>
              {used.data?.nextPageToken && <p className="muted">The latest {list.length} are shown.</p>}
              {/* The list filters by redeemTime, which for a hold is when it was made, not when it was used. */}
              <p className="muted today-used-note">Visits redeemed today, and holds made today that were used. A hold made on an earlier day shows in its package’s history.</p>
            </>
          )
        }
      </Loaded>
    </section>
  );
}

/** "in 3 h", "in 25 min", "in 3 days", or "expired". */
function untilText(iso: string | null, now: number): string {
  if (!iso) return '';
  const ms = Date.parse(iso) - now;
  if (!(ms > 0)) return 'expired';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'in less than a minute';
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.round(ms / 3_600_000);
  if (hours < 48) return `in ${hours} h`;
  return `in ${Math.round(ms / 86_400_000)} days`;
}

/** "9:05 AM" in the business's zone. */
function clock(iso: string, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat(undefined, { timeStyle: 'short', timeZone }).format(new Date(iso));
  } catch {
    return formatInstant(iso, timeZone);
  }
}

/** The time now, moving on every `ms`, for wording that depends on it ("in 3 h"). */
function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
