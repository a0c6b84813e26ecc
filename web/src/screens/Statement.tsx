// A package's statement for the customer: who, what was bought and paid, what is left of each item, and the
// whole history, laid out to print (or save as PDF) on one or more A4 or Letter pages.
import { useQuery } from '@tanstack/react-query';
import type { Money, PackageDetail, PackageEvent } from '../api/types';
import { useDesk } from '../context';
import { actorText, detailText, eventLabel } from '../components/EventText';
import { firstUseText } from '../components/PackageParts';
import { ErrorNotice, LifecycleBadge, Loading, Fact } from '../components/ui';
import { learnPackage } from '../lib/messages';
import { formatMoney, isZero } from '../lib/money';
import { Link, paths } from '../lib/router';
import { formatDate, formatInstant, NEVER, todayIn } from '../lib/time';
import './statement.css';

export function StatementScreen({ packageId }: { packageId: string }) {
  const { read } = useDesk();
  const pkgQuery = useQuery(read.package(packageId));
  const events = useQuery(read.events(packageId));
  const customerId = pkgQuery.data?.packageInfo.customerId ?? '';
  const customer = useQuery({ ...read.customer(customerId), enabled: customerId !== '' });

  const back = (
    <p className="statement-back">
      <Link to={paths.package(packageId)}>← Back to the package</Link>
    </p>
  );
  if (pkgQuery.isPending) return <Loading label="Loading the statement…" />;
  if (pkgQuery.isError && !pkgQuery.data)
    return (
      <>
        {back}
        <ErrorNotice error={pkgQuery.error} onRetry={pkgQuery.error.status === 404 ? undefined : () => void pkgQuery.refetch()} title="Could not load this package." />
      </>
    );
  const pkg = pkgQuery.data!;
  learnPackage(pkg);
  const c = customer.data;
  const customerName = c ? `${c.firstName} ${c.lastName}`.trim() : pkg.packageInfo.customerId;

  return (
    <article className="statement" aria-labelledby="statement-title">
      <div className="statement-tools">
        {back}
        <button type="button" className="btn btn-primary" onClick={() => window.print()}>
          Print or save as PDF
        </button>
      </div>
      <Head pkg={pkg} customerName={customerName} customerLoading={customer.isPending && customerId !== ''} email={c?.email ?? ''} phone={c?.phone ?? ''} />
      {customer.isError && <ErrorNotice error={customer.error} onRetry={() => void customer.refetch()} title="Could not load the customer’s details." />}
      <Items pkg={pkg} />
      <History pkg={pkg} events={events.data} loading={events.isPending} error={events.error} onRetry={() => void events.refetch()} />
      <Totals pkg={pkg} />
    </article>
  );
}

function Head({ pkg, customerName, customerLoading, email, phone }: { pkg: PackageDetail; customerName: string; customerLoading: boolean; email: string; phone: string }) {
  const { businessName } = useDesk();
  const info = pkg.packageInfo;
  return (
    <header className="statement-head">
      <p className="statement-business">{businessName(info.businessId)}</p>
      <h1 id="statement-title">Package statement</h1>
      <p className="statement-asof">As of {formatInstant(pkg.asOfTime, pkg.timeZone)}</p>
      <div className="statement-parties">
        <section aria-labelledby="statement-customer">
          <h2 id="statement-customer">Customer</h2>
          <dl className="statement-facts">
            <Fact label="Name">{customerLoading ? '…' : customerName}</Fact>
            <Fact label="Email">{email || '—'}</Fact>
            <Fact label="Phone">{phone || '—'}</Fact>
          </dl>
        </section>
        <section aria-labelledby="statement-package">
          <h2 id="statement-package">Package</h2>
          <dl className="statement-facts">
            <Fact label="Package">
              {info.packageName} <LifecycleBadge lifecycle={pkg.lifecycle} />
            </Fact>
            <Fact label="Purchased">{formatDate(localDate(info.purchaseTime, pkg.timeZone))}</Fact>
            <Fact label="Expires">{expirationText(pkg)}</Fact>
            <Fact label="Paid">{formatMoney(pkg.paidAmount)}</Fact>
            {refunded(pkg) && <Fact label="Refunded">{formatMoney(pkg.refund)}</Fact>}
            {pkg.cancelTime && <Fact label="Cancelled">{formatDate(localDate(pkg.cancelTime, pkg.timeZone))}</Fact>}
            {pkg.invoice && (pkg.invoice.receiptNo || pkg.invoice.no) && <Fact label="Receipt">{pkg.invoice.receiptNo || pkg.invoice.no}</Fact>}
            <Fact label="Package id">{info.id}</Fact>
          </dl>
        </section>
      </div>
    </header>
  );
}

interface ItemRow {
  id: string;
  kind: 'Service' | 'Product';
  name: string;
  total: number;
  used: number;
  held: number;
  left: number;
  valueLeft: Money;
}

function itemRows(pkg: PackageDetail): ItemRow[] {
  return [
    ...pkg.packageServices.map((s) => ({
      id: s.id,
      kind: 'Service' as const,
      name: s.services.map((x) => x.name || x.serviceId).join(' or '),
      total: s.totalQuantity,
      used: s.usedQuantity,
      held: s.heldQuantity,
      left: s.remainingQuantity,
      valueLeft: s.remainingValue,
    })),
    ...pkg.packageProducts.map((p) => ({
      id: p.id,
      kind: 'Product' as const,
      name: p.products.map((x) => x.name || x.productId).join(' or '),
      total: p.totalQuantity,
      used: p.usedQuantity,
      held: p.heldQuantity,
      left: p.remainingQuantity,
      valueLeft: p.remainingValue,
    })),
  ];
}

function Items({ pkg }: { pkg: PackageDetail }) {
  const rows = itemRows(pkg);
  return (
    <section className="statement-section" aria-labelledby="statement-items">
      <h2 id="statement-items">What is left</h2>
      {rows.length === 0 ? (
        <p className="muted">No items.</p>
      ) : (
        <table className="statement-table statement-items" aria-labelledby="statement-items">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col" className="num">Total</th>
              <th scope="col" className="num">Used</th>
              <th scope="col" className="num">Held</th>
              <th scope="col" className="num">Left</th>
              <th scope="col" className="num">Value left</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <th scope="row" data-label={r.kind}>
                  {r.name} <span className="statement-kind">({r.kind.toLowerCase()})</span>
                </th>
                <td className="num" data-label="Total">{r.total}</td>
                <td className="num" data-label="Used">{r.used}</td>
                <td className="num" data-label="Held">{r.held}</td>
                <td className="num" data-label="Left">{r.left}</td>
                <td className="num" data-label="Value left">{formatMoney(r.valueLeft)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr className="statement-total">
              <th scope="row" colSpan={5} data-label="">
                Value left in the package
              </th>
              <td className="num" data-label="Value left in the package">{formatMoney(pkg.remainingValue)}</td>
            </tr>
          </tfoot>
        </table>
      )}
    </section>
  );
}

function History({ pkg, events, loading, error, onRetry }: { pkg: PackageDetail; events: PackageEvent[] | undefined; loading: boolean; error: import('../api/client').ApiError | null; onRetry: () => void }) {
  return (
    <section className="statement-section statement-history" aria-labelledby="statement-history">
      <h2 id="statement-history">History</h2>
      {loading && !events ? (
        <Loading label="Loading the history…" />
      ) : error && !events ? (
        <ErrorNotice error={error} onRetry={onRetry} title="Could not load the history." />
      ) : !events || events.length === 0 ? (
        <p className="muted">No events.</p>
      ) : (
        <table className="statement-table statement-events" aria-labelledby="statement-history">
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">What</th>
              <th scope="col">By</th>
              <th scope="col" className="num">Quantity</th>
              <th scope="col" className="num">Value</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => {
              const detail = detailText(pkg, e);
              return (
                <tr key={e.id}>
                  <td data-label="Date">
                    <time dateTime={e.time}>{formatInstant(e.time, pkg.timeZone)}</time>
                  </td>
                  <td data-label="What">
                    <span>
                      <strong>{eventLabel(e.type)}</strong>
                      {detail && <span className="statement-detail"> {detail}</span>}
                    </span>
                  </td>
                  <td data-label="By">{actorText(e)}</td>
                  <td className="num" data-label="Quantity">{quantityText(e)}</td>
                  <td className="num" data-label="Value">{isZero(e.valueChange) ? '—' : formatMoney(e.valueChange)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {error && events && <ErrorNotice error={error} onRetry={onRetry} />}
    </section>
  );
}

function Totals({ pkg }: { pkg: PackageDetail }) {
  return (
    <section className="statement-section statement-totals" aria-labelledby="statement-totals">
      <h2 id="statement-totals">Amounts</h2>
      <dl className="statement-sums">
        <Fact label="Paid">{formatMoney(pkg.paidAmount)}</Fact>
        <Fact label="Refunded">{refunded(pkg) ? formatMoney(pkg.refund) : 'nothing'}</Fact>
        <Fact label="Value left">{formatMoney(pkg.remainingValue)}</Fact>
      </dl>
    </section>
  );
}

const refunded = (pkg: PackageDetail) => !!pkg.refund && !isZero(pkg.refund);

/** The local calendar date of an instant in the business's zone. */
const localDate = (iso: string, timeZone: string) => todayIn(timeZone, new Date(iso));

/** "Nov 25, 2027 + 7 grace days", "never", or the first-use wording for a package not started yet. */
function expirationText(pkg: PackageDetail): string {
  const date = pkg.packageInfo.expirationDate;
  if (!date || date === NEVER) {
    if (pkg.activation === 'ON_FIRST_REDEMPTION' && (pkg.lifecycle === 'NOT_STARTED' || !pkg.packageInfo.startTime)) return firstUseText(pkg).replace(/^Not started · v/, 'V');
    return 'Never expires';
  }
  return `${formatDate(date)}${pkg.gracePeriodDays > 0 ? ` + ${pkg.gracePeriodDays} grace day${pkg.gracePeriodDays === 1 ? '' : 's'}` : ''}`;
}

/** Units as the event moved them: an adjustment with its sign, holds and visits as counts, none as a dash. */
function quantityText(e: PackageEvent): string {
  if (!e.quantity) return '—';
  if (e.type === 'ADJUSTED') return `${e.quantity > 0 ? '+' : ''}${e.quantity}`;
  return String(e.quantity);
}
