// Find a customer as you type (name, email or phone), then see their packages and act on them.
import { keepPreviousData, useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Customer, PackageDetail, RedemptionResult } from '../api/types';
import { useDesk } from '../context';
import { Dialog } from '../components/Dialog';
import { Expiry, isOpen, NotRedeemable, PackageAlerts, PackageItems, redeemableHere } from '../components/PackageParts';
import { RedeemDialog, RedemptionNotice } from '../components/RedeemDialog';
import { SellDialog } from '../components/SellDialog';
import { Empty, ErrorNotice, LifecycleBadge, Loading, Loaded } from '../components/ui';
import { useAction, useDebounced } from '../lib/hooks';
import { slugId } from '../lib/ids';
import { learnName } from '../lib/messages';
import { formatMoney } from '../lib/money';
import { Link, navigate, paths } from '../lib/router';

export function CustomersScreen({ customerId }: { customerId?: string }) {
  return (
    <div className={customerId ? 'split has-detail' : 'split'}>
      <section className="pane pane-search" aria-labelledby="customers-title">
        <CustomerSearch selectedId={customerId} />
      </section>
      <section className="pane pane-detail" aria-label="Customer">
        {customerId ? (
          <CustomerDetail key={customerId} customerId={customerId} />
        ) : (
          <Empty>
            <p>Find a customer by name, email or phone to see their packages.</p>
          </Empty>
        )}
      </section>
    </div>
  );
}

const fullName = (c: Customer) => `${c.firstName} ${c.lastName}`.trim();

function CustomerSearch({ selectedId }: { selectedId?: string }) {
  const { read, can } = useDesk();
  const [text, setText] = useState('');
  const query = useDebounced(text.trim(), 250);
  // The previous text's results stay visible (dimmed) while the new ones load.
  const results = useInfiniteQuery({ ...read.customerSearchPages(query), placeholderData: keepPreviousData });
  const [creating, setCreating] = useState(false);
  const inputId = useId();

  const found = useMemo(() => results.data?.pages.flatMap((p) => p.customers) ?? [], [results.data]);
  // A search that failed (offline) must not leave the previous text's results under the new text; a failed
  // "Show more" keeps the pages already shown.
  const searchFailed = results.isError && !results.isFetchNextPageError;
  const shown = searchFailed ? [] : found;
  const pages = { customers: shown, next: results.hasNextPage ? 'more' : '' };
  const loadMore = () => void results.fetchNextPage();

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    const first = pages.customers[0];
    if (e.key === 'Enter' && first) {
      e.preventDefault();
      navigate(paths.customer(first.id));
    }
  };

  const stale = text.trim() !== query || results.isPending || (results.isFetching && !results.isFetchingNextPage);
  return (
    <>
      <div className="pane-head">
        <h1 id="customers-title">Customers</h1>
        {can('write') && (
          <button type="button" className="btn" onClick={() => setCreating(true)}>
            New customer
          </button>
        )}
      </div>
      <div className="field search-field">
        <label htmlFor={inputId}>Search by name, email or phone</label>
        <input
          id={inputId}
          type="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          autoFocus={!selectedId}
          autoComplete="off"
          placeholder="e.g. Alice, alice@…, 555 0101"
          aria-describedby={`${inputId}-status`}
        />
      </div>
      <div id={`${inputId}-status`} className="search-status" role="status" aria-live="polite">
        {stale ? 'Searching…' : searchFailed ? '' : pages.customers.length === 0 ? (query ? `No customer matches “${query}”.` : 'No customers yet.') : `${pages.customers.length}${pages.next ? '+' : ''} ${pages.customers.length === 1 ? 'customer' : 'customers'}`}
      </div>
      <ErrorNotice error={searchFailed ? results.error : null} onRetry={() => void results.refetch()} />
      <ul className={`results${stale ? ' results-stale' : ''}`} aria-label="Customers found">
        {shown.map((c) => (
          <li key={c.id}>
            <Link to={paths.customer(c.id)} className="result" aria-current={c.id === selectedId ? 'true' : undefined}>
              <span className="result-name">{fullName(c) || c.id}</span>
              <span className="result-meta">{[c.email, c.phone].filter(Boolean).join(' · ') || c.id}</span>
            </Link>
          </li>
        ))}
      </ul>
      {pages.next && (
        <button type="button" className="btn btn-block" onClick={loadMore} disabled={results.isFetchingNextPage}>
          {results.isFetchingNextPage ? 'Loading…' : 'Show more'}
        </button>
      )}
      <ErrorNotice error={results.isFetchNextPageError ? results.error : null} />
      {creating && (
        <CustomerDialog
          initial={text.trim()}
          onClose={() => setCreating(false)}
          onCreated={(c) => {
            setCreating(false);
            navigate(paths.customer(c.id));
          }}
        />
      )}
    </>
  );
}

/** A new customer (started from what was typed in the search), or the details of one to correct. */
function CustomerDialog({ initial = '', existing, onClose, onCreated }: { initial?: string; existing?: Customer; onClose: () => void; onCreated: (c: Customer) => void }) {
  const { read, change, changed } = useDesk();
  const queryClient = useQueryClient();
  const looksLikeEmail = initial.includes('@');
  const looksLikePhone = /^[+\d][\d\s().-]{4,}$/.test(initial);
  const [firstName, setFirst] = useState(existing?.firstName ?? (!looksLikeEmail && !looksLikePhone ? (initial.split(' ')[0] ?? '') : ''));
  const [lastName, setLast] = useState(existing?.lastName ?? (!looksLikeEmail && !looksLikePhone ? initial.split(' ').slice(1).join(' ') : ''));
  const [email, setEmail] = useState(existing?.email ?? (looksLikeEmail ? initial : ''));
  const [phone, setPhone] = useState(existing?.phone ?? (looksLikePhone ? initial : ''));
  const action = useAction();
  const ids = { first: useId(), last: useId(), email: useId(), phone: useId() };
  const idRef = useRef<string | null>(null);
  const valid = firstName.trim() !== '';

  const [duplicate, setDuplicate] = useState<Customer | null>(null);
  // What was found was for the name and email as they were: a change asks again.
  useEffect(() => setDuplicate(null), [firstName, lastName, email]);
  const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

  const submit = async () => {
    if (!valid) return;
    const body = { firstName: firstName.trim(), lastName: lastName.trim(), email: email.trim() || null, phone: phone.trim() || null };
    // A second identical customer (same name and email) is asked about once before it is created.
    if (!existing && !duplicate && body.email) {
      const found = await action.run(`dup:${body.email}`, () => queryClient.fetchQuery(read.customerSearch(body.email!, 50)));
      if (!found) return;
      const twin = found.customers.find((c) => same(c.firstName, body.firstName) && same(c.lastName, body.lastName) && same(c.email, body.email!));
      if (twin) return setDuplicate(twin);
    }
    // The id is chosen once per dialog, so a retry after a lost answer updates the same customer.
    idRef.current ??= existing?.id ?? slugId('cus', `${body.firstName} ${body.lastName}`);
    const id = idRef.current;
    const c = await action.run(`customer:${id}:${JSON.stringify(body)}`, () => change.upsertCustomer(id, body));
    if (!c) return;
    changed.customer(c);
    onCreated(c);
  };

  return (
    <Dialog
      title={existing ? `Edit ${fullName(existing) || existing.id}` : 'New customer'}
      onClose={onClose}
      busy={action.busy}
      onSubmit={submit}
      actions={
        <button type="submit" className="btn btn-primary" disabled={!valid || action.busy}>
          {action.busy ? 'Saving…' : existing ? 'Save' : duplicate ? 'Add another one anyway' : 'Add customer'}
        </button>
      }
    >
      <div className="row">
        <div className="field grow">
          <label htmlFor={ids.first}>First name</label>
          <input id={ids.first} value={firstName} onChange={(e) => setFirst(e.target.value)} required maxLength={200} />
        </div>
        <div className="field grow">
          <label htmlFor={ids.last}>Last name</label>
          <input id={ids.last} value={lastName} onChange={(e) => setLast(e.target.value)} maxLength={200} />
        </div>
      </div>
      <div className="field">
        <label htmlFor={ids.email}>Email</label>
        <input id={ids.email} type="email" value={email} onChange={(e) => setEmail(e.target.value)} maxLength={200} />
      </div>
      <div className="field">
        <label htmlFor={ids.phone}>Phone</label>
        <input id={ids.phone} type="tel" value={phone} onChange={(e) => setPhone(e.target.value)} maxLength={64} />
      </div>
      {duplicate && (
        <div className="notice notice-warning" role="alert">
          <div>
            <strong>{fullName(duplicate)}</strong> with {duplicate.email} is already a customer.{' '}
            <Link to={paths.customer(duplicate.id)} onClick={onClose}>
              Open {fullName(duplicate)}
            </Link>{' '}
            instead, or add another one anyway.
          </div>
        </div>
      )}
      <ErrorNotice error={action.error} />
    </Dialog>
  );
}

function CustomerDetail({ customerId }: { customerId: string }) {
  const { read, can } = useDesk();
  const customer = useQuery(read.customer(customerId));
  const packages = useQuery(read.customerPackages(customerId));
  const [dialog, setDialog] = useState<null | { kind: 'sell' } | { kind: 'edit' } | { kind: 'redeem'; pkg?: PackageDetail }>(null);
  const [last, setLast] = useState<RedemptionResult | null>(null);
  const [sold, setSold] = useState<PackageDetail | null>(null);
  const list = { items: packages.data ?? [] };

  if (customer.isPending) return <Loading label="Loading the customer…" />;
  if (customer.isError && !customer.data)
    return <ErrorNotice error={customer.error} onRetry={customer.error.status === 404 ? undefined : () => void customer.refetch()} title="Could not load this customer." />;
  const c = customer.data!;
  learnName(c.id, fullName(c));
  const open = list.items.filter(isOpen);
  const closed = list.items.filter((p) => !isOpen(p));

  return (
    <article className="customer" aria-labelledby="customer-name">
      <p className="back-link">
        <Link to={paths.customers()}>← All customers</Link>
      </p>
      <header className="customer-head">
        <div>
          <h2 id="customer-name">{fullName(c) || c.id}</h2>
          <p className="muted">{[c.email, c.phone].filter(Boolean).join(' · ') || 'No email or phone'}</p>
        </div>
        {can('write') && (
          <div className="actions">
            <button type="button" className="btn btn-ghost" onClick={() => setDialog({ kind: 'edit' })} aria-label={`Edit ${fullName(c) || c.id}`}>
              Edit
            </button>
            <button type="button" className="btn btn-primary" onClick={() => setDialog({ kind: 'sell' })}>
              Sell a package
            </button>
            <button type="button" className="btn" onClick={() => setDialog({ kind: 'redeem' })} disabled={open.length === 0}>
              Redeem a service
            </button>
          </div>
        )}
      </header>

      {sold && (
        <div className="notice notice-success" role="status">
          <div>
            Sold <strong>{sold.packageInfo.packageName}</strong> for {formatMoney(sold.paidAmount)}.
          </div>
          <button type="button" className="btn btn-small btn-ghost" onClick={() => setSold(null)} aria-label="Dismiss">
            ✕
          </button>
        </div>
      )}
      {last && (
        <RedemptionNotice
          key={last.redemption.id}
          result={last}
          onDismiss={() => setLast(null)}
        />
      )}

      <Loaded query={packages} loading="Loading packages…" failed="Could not load the packages.">
        {() =>
          list.items.length === 0 ? (
            <Empty>
              <p>No packages yet.</p>
            </Empty>
          ) : (
            <>
              <h3 className="section-title">Packages</h3>
              {open.length === 0 && <p className="muted">No open package.</p>}
              <ul className="cards">
                {open.map((p) => (
                  <li key={p.packageInfo.id}>
                    <PackageCard pkg={p} onRedeem={can('write') ? () => setDialog({ kind: 'redeem', pkg: p }) : undefined} />
                  </li>
                ))}
              </ul>
              {closed.length > 0 && (
                <details className="closed">
                  <summary>Closed packages ({closed.length})</summary>
                  <ul className="cards">
                    {closed.map((p) => (
                      <li key={p.packageInfo.id}>
                        <PackageCard pkg={p} />
                      </li>
                    ))}
                  </ul>
                </details>
              )}
            </>
          )
        }
      </Loaded>

      {dialog?.kind === 'edit' && <CustomerDialog existing={c} onClose={() => setDialog(null)} onCreated={() => setDialog(null)} />}
      {dialog?.kind === 'sell' && (
        <SellDialog
          customer={c}
          onClose={() => setDialog(null)}
          onSold={(pkg) => {
            setDialog(null);
            setLast(null);
            setSold(pkg);
          }}
        />
      )}
      {dialog?.kind === 'redeem' && (
        <RedeemDialog
          customerId={c.id}
          pkg={dialog.pkg}
          packages={dialog.pkg ? undefined : open}
          onClose={() => setDialog(null)}
          onDone={(r) => {
            setDialog(null);
            setSold(null);
            setLast(r);
          }}
        />
      )}
    </article>
  );
}

export function PackageCard({ pkg, onRedeem }: { pkg: PackageDetail; onRedeem?: () => void }) {
  const { businessName, business } = useDesk();
  const info = pkg.packageInfo;
  return (
    <article className={`card package-card package-${pkg.lifecycle.toLowerCase()}`} aria-labelledby={`pkg-${info.id}`}>
      <header className="package-card-head">
        <h4 id={`pkg-${info.id}`}>
          <Link to={paths.package(info.id)}>{info.packageName}</Link>
        </h4>
        <span className="badges">
          <LifecycleBadge lifecycle={pkg.lifecycle} />
          <PackageAlerts pkg={pkg} />
        </span>
      </header>
      <p className="package-meta">
        <Expiry pkg={pkg} />
        {info.businessId !== business.id && <span className="muted"> · sold at {businessName(info.businessId)}</span>}
        {pkg.holds.length > 0 && <span className="muted"> · {pkg.holds.length} on hold</span>}
      </p>
      <PackageItems pkg={pkg} />
      <NotRedeemable pkg={pkg} />
      <footer className="package-card-actions">
        {onRedeem && redeemableHere(pkg, business.id) && (
          <button type="button" className="btn btn-primary" onClick={onRedeem} aria-label={`Redeem from ${info.packageName}`}>
            Redeem
          </button>
        )}
        <Link to={paths.package(info.id)} className="btn" aria-label={`Details and history of ${info.packageName}`}>
          Details &amp; history
        </Link>
      </footer>
    </article>
  );
}
