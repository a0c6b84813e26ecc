// One package: its balance, holds and state; every action the key's role allows; and its full history.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { PackageDetail, PackageEvent, Redemption, RedemptionResult } from '../api/types';
import { useDesk } from '../context';
import { actorText, detailText, eventLabel } from '../components/EventText';
import { AdjustDialog, CancelDialog, ExtendDialog, FreezeDialog, ReverseDialog, UnfreezeDialog } from '../components/PackageDialogs';
import { Expiry, NotRedeemable, PackageAlerts, PackageItems, redeemableHere } from '../components/PackageParts';
import { itemName, RedeemDialog, RedemptionNotice } from '../components/RedeemDialog';
import { Empty, ErrorNotice, LifecycleBadge, Loading, Fact } from '../components/ui';
import { useAction } from '../lib/hooks';
import { formatMoney, isZero } from '../lib/money';
import { Link, paths } from '../lib/router';
import { formatDate, formatInstant, validityText } from '../lib/time';

type DialogState =
  | null
  | { kind: 'redeem' }
  | { kind: 'freeze' }
  | { kind: 'unfreeze' }
  | { kind: 'extend' }
  | { kind: 'adjust' }
  | { kind: 'cancel' }
  | { kind: 'reverse'; redemptionId: string; description: string };

export function PackageScreen({ packageId }: { packageId: string }) {
  const { read, can, businessName, business } = useDesk();
  const pkgQuery = useQuery(read.package(packageId));
  const events = useQuery(read.events(packageId));
  const customerId = pkgQuery.data?.packageInfo.customerId ?? '';
  const customer = useQuery({ ...read.customer(customerId), enabled: customerId !== '' });
  const [dialog, setDialog] = useState<DialogState>(null);
  const [last, setLast] = useState<RedemptionResult | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  if (pkgQuery.isPending) return <Loading label="Loading the package…" />;
  if (pkgQuery.isError && !pkgQuery.data)
    return (
      <>
        <p className="back-link">
          <Link to={paths.customers()}>← All customers</Link>
        </p>
        <ErrorNotice error={pkgQuery.error} onRetry={pkgQuery.error.status === 404 ? undefined : () => void pkgQuery.refetch()} title="Could not load this package." />
      </>
    );
  const pkg = pkgQuery.data!;
  const info = pkg.packageInfo;

  // The dialogs have put the new detail in the cache and refreshed what depends on it (api/cache.ts).
  const changed = (note?: string) => {
    setDialog(null);
    setMessage(note ?? null);
  };
  const redeemed = (r: RedemptionResult) => {
    setLast(r);
    changed();
  };

  const open = pkg.lifecycle === 'ACTIVE' || pkg.lifecycle === 'NOT_STARTED' || pkg.lifecycle === 'FROZEN';
  const canWrite = can('write');
  const canAdmin = can('admin');
  const customerName = customer.data ? `${customer.data.firstName} ${customer.data.lastName}`.trim() : info.customerId;

  return (
    <article className="package-page" aria-labelledby="package-title">
      <p className="back-link">
        <Link to={paths.customer(info.customerId)}>← {customerName}</Link>
      </p>
      <header className="package-head">
        <div>
          <h1 id="package-title">
            {info.packageName} <LifecycleBadge lifecycle={pkg.lifecycle} /> <PackageAlerts pkg={pkg} />
          </h1>
          <p className="muted">
            {customerName} · sold at {businessName(info.businessId)} on {formatInstant(info.purchaseTime, pkg.timeZone)}
          </p>
        </div>
        <div className="actions">
          <Link to={paths.statement(info.id)} className="btn btn-ghost">
            Statement
          </Link>
          <button type="button" className="btn btn-ghost" onClick={() => { void pkgQuery.refetch(); void events.refetch(); }} disabled={pkgQuery.isFetching}>
            {pkgQuery.isFetching ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
      </header>

      {message && (
        <div className="notice notice-success" role="status">
          <div>{message}</div>
          <button type="button" className="btn btn-small btn-ghost" onClick={() => setMessage(null)} aria-label="Dismiss">
            ✕
          </button>
        </div>
      )}
      {last && <RedemptionNotice key={last.redemption.id} result={last} onChanged={() => changed()} onDismiss={() => setLast(null)} />}
      <ErrorNotice error={pkgQuery.error} onRetry={() => void pkgQuery.refetch()} />

      {(canWrite || canAdmin) && open && (
        <div className="toolbar" role="toolbar" aria-label="Package actions">
          {canWrite && (
            <button type="button" className="btn btn-primary" onClick={() => setDialog({ kind: 'redeem' })} disabled={!redeemableHere(pkg, business.id)}>
              Redeem or hold
            </button>
          )}
          {canWrite && pkg.lifecycle !== 'FROZEN' && (
            <button type="button" className="btn" onClick={() => setDialog({ kind: 'freeze' })}>
              Freeze
            </button>
          )}
          {canWrite && pkg.lifecycle === 'FROZEN' && (
            <button type="button" className="btn" onClick={() => setDialog({ kind: 'unfreeze' })}>
              Unfreeze
            </button>
          )}
          {canAdmin && (
            <>
              <button type="button" className="btn" onClick={() => setDialog({ kind: 'extend' })}>
                Extend
              </button>
              <button type="button" className="btn" onClick={() => setDialog({ kind: 'adjust' })} disabled={pkg.packageServices.length + pkg.packageProducts.length === 0}>
                Adjust
              </button>
              <button type="button" className="btn btn-danger-outline" onClick={() => setDialog({ kind: 'cancel' })}>
                Cancel package…
              </button>
            </>
          )}
        </div>
      )}
      {canAdmin && pkg.lifecycle === 'EXPIRED' && (
        <div className="toolbar" role="toolbar" aria-label="Package actions">
          <button type="button" className="btn" onClick={() => setDialog({ kind: 'extend' })}>
            Extend
          </button>
        </div>
      )}

      <div className="package-grid">
        <section className="card" aria-labelledby="balance-title">
          <h2 id="balance-title">Balance</h2>
          <PackageItems pkg={pkg} />
          <NotRedeemable pkg={pkg} />
        </section>
        <section className="card" aria-labelledby="facts-title">
          <h2 id="facts-title">Details</h2>
          <dl className="facts">
            <Fact label="Expiration">
              <Expiry pkg={pkg} />
            </Fact>
            {pkg.graceEndTime && pkg.gracePeriodDays > 0 && <Fact label="Grace ends">{formatInstant(pkg.graceEndTime, pkg.timeZone)}</Fact>}
            <Fact label="Paid">{formatMoney(pkg.paidAmount)}</Fact>
            {pkg.listPrice && formatMoney(pkg.listPrice) !== formatMoney(pkg.paidAmount) && <Fact label="List price">{formatMoney(pkg.listPrice)}</Fact>}
            <Fact label="Unused value">{formatMoney(pkg.remainingValue)}</Fact>
            <Fact label="Validity">{validityText(pkg.validity)}</Fact>
            <Fact label="Starts">{pkg.activation === 'ON_FIRST_REDEMPTION' ? 'at the first visit' : 'on purchase'}</Fact>
            {pkg.restrictRedemptionToSellingBusiness && <Fact label="Redeemable">only at {businessName(info.businessId)}</Fact>}
            {pkg.freeze && (
              <Fact label="Frozen">
                since {formatDate(pkg.freeze.startDate)}
                {pkg.freeze.endDate ? ` until ${formatDate(pkg.freeze.endDate)}` : ''}
                {pkg.freeze.reason ? ` (${pkg.freeze.reason})` : ''}
              </Fact>
            )}
            {pkg.cancelTime && <Fact label="Cancelled">{formatInstant(pkg.cancelTime, pkg.timeZone)}</Fact>}
            {pkg.refund && <Fact label="Refunded">{formatMoney(pkg.refund)}</Fact>}
            {pkg.invoice && (pkg.invoice.no || pkg.invoice.receiptNo) && <Fact label="Receipt">{pkg.invoice.receiptNo || pkg.invoice.no}</Fact>}
            <Fact label="Package id">
              <code>{info.id}</code>
            </Fact>
          </dl>
        </section>
      </div>

      {pkg.holds.length > 0 && <Holds pkg={pkg} canWrite={canWrite} onChanged={(r) => changed(holdMessage(r))} />}

      <History pkg={pkg} events={events.data} loading={events.isPending} error={events.error} onRetry={() => void events.refetch()} canWrite={canWrite && pkg.lifecycle !== 'CANCELLED'} onReverse={(redemptionId, description) => setDialog({ kind: 'reverse', redemptionId, description })} />

      {dialog?.kind === 'redeem' && <RedeemDialog customerId={info.customerId} pkg={pkg} onClose={() => setDialog(null)} onDone={redeemed} />}
      {dialog?.kind === 'freeze' && <FreezeDialog pkg={pkg} onClose={() => setDialog(null)} onDone={() => changed('Frozen. No visit can be redeemed until it is unfrozen.')} />}
      {dialog?.kind === 'unfreeze' && <UnfreezeDialog pkg={pkg} onClose={() => setDialog(null)} onDone={(p) => changed(`Unfrozen. It now expires ${formatDate(p.packageInfo.expirationDate)}.`)} />}
      {dialog?.kind === 'extend' && <ExtendDialog pkg={pkg} onClose={() => setDialog(null)} onDone={(p) => changed(`Extended: it now expires ${formatDate(p.packageInfo.expirationDate)}.`)} />}
      {dialog?.kind === 'adjust' && <AdjustDialog pkg={pkg} onClose={() => setDialog(null)} onDone={() => changed('Adjusted.')} />}
      {dialog?.kind === 'cancel' && <CancelDialog pkg={pkg} onClose={() => setDialog(null)} onDone={(_p, refund) => changed(`Cancelled. Refund: ${formatMoney(refund)}.`)} />}
      {dialog?.kind === 'reverse' && (
        <ReverseDialog
          redemptionId={dialog.redemptionId}
          description={dialog.description}
          onClose={() => setDialog(null)}
          onDone={(r) => changed(`Given back: ${r.redemption.quantity} × ${serviceName(r.package, r.redemption)}.`)}
        />
      )}
    </article>
  );
}

const serviceName = itemName;

const holdMessage = (r: RedemptionResult) =>
  r.redemption.status === 'COMMITTED' ? `Hold used: ${r.redemption.quantity} × ${serviceName(r.package, r.redemption)}.` : `Hold released: ${r.redemption.quantity} × ${serviceName(r.package, r.redemption)} given back.`;

function Holds({ pkg, canWrite, onChanged }: { pkg: PackageDetail; canWrite: boolean; onChanged: (r: RedemptionResult) => void }) {
  return (
    <section className="card" aria-labelledby="holds-title">
      <h2 id="holds-title">On hold</h2>
      <ul className="holds">
        {pkg.holds.map((h) => (
          <HoldRow key={h.id} pkg={pkg} hold={h} canWrite={canWrite} onChanged={onChanged} />
        ))}
      </ul>
    </section>
  );
}

function HoldRow({ pkg, hold, canWrite, onChanged }: { pkg: PackageDetail; hold: Redemption; canWrite: boolean; onChanged: (r: RedemptionResult) => void }) {
  const { change, changed } = useDesk();
  const action = useAction();
  const what = `${hold.quantity} × ${serviceName(pkg, hold)}`;
  const commit = async () => {
    const r = await action.run(`commit:${hold.id}`, (key) => change.commitHold(hold.id, key));
    if (!r) return;
    changed.package(r.package);
    onChanged(r);
  };
  const release = async () => {
    const r = await action.run(`release:${hold.id}`, (key) => change.releaseHold(hold.id, key));
    if (!r) return;
    changed.package(r.package);
    onChanged(r);
  };
  return (
    <li className="hold">
      <div>
        <strong>{what}</strong>
        {hold.appointmentId && <span className="muted"> · appointment {hold.appointmentId}</span>}
        <div className="muted">held until {formatInstant(hold.holdExpireTime, pkg.timeZone)}</div>
        <ErrorNotice error={action.error} />
      </div>
      {canWrite && (
        <div className="actions">
          <button type="button" className="btn btn-primary btn-small" onClick={commit} disabled={action.busy} aria-label={`Use the hold of ${what}`}>
            Use
          </button>
          <button type="button" className="btn btn-small" onClick={release} disabled={action.busy} aria-label={`Release the hold of ${what}`}>
            Release
          </button>
        </div>
      )}
    </li>
  );
}

function History(props: {
  pkg: PackageDetail;
  events: PackageEvent[] | undefined;
  loading: boolean;
  error: import('../api/client').ApiError | null;
  onRetry: () => void;
  canWrite: boolean;
  onReverse: (redemptionId: string, description: string) => void;
}) {
  const { pkg, events } = props;
  const reversed = new Set((events ?? []).filter((e) => e.type === 'REVERSED').map((e) => e.redemptionId));
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      {props.loading && !events ? (
        <Loading label="Loading the history…" />
      ) : props.error && !events ? (
        <ErrorNotice error={props.error} onRetry={props.onRetry} title="Could not load the history." />
      ) : !events || events.length === 0 ? (
        <Empty>No events.</Empty>
      ) : (
        <ol className="timeline">
          {[...events].reverse().map((e) => {
            const detail = detailText(pkg, e);
            const canGiveBack = props.canWrite && (e.type === 'REDEEMED' || e.type === 'COMMITTED') && e.redemptionId && !reversed.has(e.redemptionId);
            return (
              <li key={e.id} className={`event event-${e.type.toLowerCase()}`}>
                <div className="event-main">
                  <span className="event-type">{eventLabel(e.type)}</span>
                  {detail && <span className="event-detail"> {detail}</span>}
                  <div className="muted event-meta">
                    <time dateTime={e.time}>{formatInstant(e.time, pkg.timeZone)}</time> · {e.totalRemainingQuantityAfter} left after
                    {!isZero(e.valueChange) && e.type !== 'SOLD' && <> · value {formatMoney(e.valueChange)}</>}
                    {' · '}by {actorText(e)}
                  </div>
                </div>
                {canGiveBack && (
                  <button type="button" className="btn btn-small" onClick={() => props.onReverse(e.redemptionId, `Give back ${detail || 'this visit'} (${formatInstant(e.time, pkg.timeZone)})?`)}>
                    Give back
                  </button>
                )}
              </li>
            );
          })}
        </ol>
      )}
      {props.error && events && <ErrorNotice error={props.error} onRetry={props.onRetry} />}
    </section>
  );
}
