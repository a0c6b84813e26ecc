// Small pieces every screen uses: loading, empty and error states, badges and the per-item balance bar.
import { useContext, useEffect, useRef, type ReactNode } from 'react';
import type { ApiError } from '../api/client';
import type { Lifecycle } from '../api/types';
import { DeskContext } from '../context';
import { errorSentence, knownNames, namesFrom } from '../lib/messages';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/** What a load needs for its first state: TanStack's query result, or a combination of several (useCatalog). */
export interface Loadable {
  isPending: boolean;
  error: ApiError | null;
  data: unknown;
  refetch: () => unknown;
}

/**
 * A load's content once it has some: Loading while there is nothing yet, the error with Try again when it failed
 * with nothing to show, else what `children` renders (a function, so that it reads the data only once it is there).
 */
export function Loaded({ query, loading, failed, children }: { query: Loadable; loading?: string; failed?: string; children: () => ReactNode }) {
  if (query.isPending) return <Loading label={loading} />;
  if (query.error && !query.data) return <ErrorNotice error={query.error} onRetry={() => void query.refetch()} title={failed} />;
  return <>{children()}</>;
}

/** One term and its value in a description list (<dl>). */
export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/** The API's own message, and a way to try again when trying again may help. */
export function ErrorNotice({ error, onRetry, title }: { error: ApiError | null | undefined; onRetry?: () => void; title?: string }) {
  const desk = useContext(DeskContext);
  const ref = useRef<HTMLDivElement>(null);
  // A refusal often appears below what is in view (the foot of a long dialog): bring it into view, or Save
  // seems to do nothing.
  useEffect(() => {
    if (error) ref.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  }, [error]);
  if (!error) return null;
  const businessName = (id: string) => desk?.businesses.find((b) => b.id === id)?.name;
  const sentence = errorSentence(error, { name: namesFrom(businessName, knownNames.name), timeZone: desk?.business.timeZone });
  return (
    <div className="notice notice-error" role="alert" ref={ref}>
      <div>
        {title && <strong>{title} </strong>}
        {sentence}
        {error.fieldViolations.length > 0 && (
          <ul className="violations">
            {error.fieldViolations.map((v) => (
              <li key={v.field}>
                {v.field}: {v.description}
              </li>
            ))}
          </ul>
        )}
      </div>
      {onRetry && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

const LIFECYCLE_LABEL: Record<Lifecycle, string> = {
  ACTIVE: 'Active',
  NOT_STARTED: 'Not started',
  FROZEN: 'Frozen',
  EXPIRED: 'Expired',
  CANCELLED: 'Cancelled',
  FULLY_REDEEMED: 'Used up',
};

export function LifecycleBadge({ lifecycle }: { lifecycle: Lifecycle }) {
  return <span className={`badge badge-${lifecycle.toLowerCase()}`}>{LIFECYCLE_LABEL[lifecycle] ?? lifecycle}</span>;
}

export function RoleBadge({ role }: { role: string }) {
  return <span className={`badge badge-role`}>{role}</span>;
}

/** One item's balance: used, held and left out of the total, as a bar and in words. */
export function ItemBar({ name, used, held, left, total }: { name: string; used: number; held: number; left: number; total: number }) {
  const pct = (n: number) => (total > 0 ? `${(n / total) * 100}%` : '0%');
  const words = `${used} used, ${held} held, ${left} left of ${total}`;
  return (
    <div className="item">
      <div className="item-head">
        <span className="item-name">{name}</span>
        <span className="item-count">
          <strong>{left}</strong> of {total} left
        </span>
      </div>
      <div className="bar" role="img" aria-label={`${name}: ${words}`}>
        <span className="bar-used" style={{ width: pct(used) }} />
        <span className="bar-held" style={{ width: pct(held) }} />
        <span className="bar-left" style={{ width: pct(left) }} />
      </div>
      <div className="item-legend" aria-hidden="true">
        <span className="legend legend-used">{used} used</span>
        {held > 0 && <span className="legend legend-held">{held} held</span>}
        <span className="legend legend-left">{left} left</span>
      </div>
    </div>
  );
}

export function Field({ label, hint, children, htmlFor }: { label: string; hint?: ReactNode; children: ReactNode; htmlFor: string }) {
  return (
    <div className="field">
      <label htmlFor={htmlFor}>{label}</label>
      {children}
      {hint && <div className="hint">{hint}</div>}
    </div>
  );
}
