// The day's picture: what is owed in unused packages, what expires soon, and how many visits were redeemed.
import { useId, useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Customer, LiabilityLine, Money } from '../api/types';
import { useDesk } from '../context';
import { unitsLeft } from '../components/PackageParts';
import { Empty, LifecycleBadge, Loaded } from '../components/ui';
import { useQueries, useQuery } from '@tanstack/react-query';
import { combineMoney, formatMoney, moneyToDecimal, sameMoney, sumMoney } from '../lib/money';
import { saveFile } from '../components/ExportButtons';
import { Link, paths } from '../lib/router';
import { daysBetween, formatDate, relativeDays, todayIn } from '../lib/time';

export function DashboardScreen() {
  return (
    <div className="dashboard">
      <h1>Dashboard</h1>
      <Liability />
      <div className="dashboard-grid">
        <RedemptionsChart />
        <Expiring />
      </div>
    </div>
  );
}

const LIABILITY_COLUMNS = [
  ['opening', 'Opening'],
  ['sold', 'Sold'],
  ['imported', 'Imported'],
  ['redeemed', 'Redeemed'],
  ['refunded', 'Refunded'],
  ['refundsPaid', 'Refunds paid'],
  ['expired', 'Expired'],
  ['adjusted', 'Adjusted'],
  ['closing', 'Closing'],
] as const satisfies readonly (readonly [keyof LiabilityLine, string])[];

const zeroIn = (currencyCode: string): Money => ({ currencyCode, units: 0, nanos: 0 });
const field = (l: LiabilityLine, k: (typeof LIABILITY_COLUMNS)[number][0]): Money => l[k] ?? zeroIn(l.currencyCode);

/** closing = opening + sold + imported − redeemed − refunded − expired + adjusted (refunds paid is the cash). */
export function expectedClosing(l: LiabilityLine): Money {
  const f = (k: (typeof LIABILITY_COLUMNS)[number][0]) => field(l, k);
  return combineMoney(l.currencyCode, [[1, f('opening')], [1, f('sold')], [1, f('imported')], [-1, f('redeemed')], [-1, f('refunded')], [-1, f('expired')], [1, f('adjusted')]]);
}

/** One total row per currency: amounts in different currencies are never added. */
export function liabilityTotals(lines: LiabilityLine[]): LiabilityLine[] {
  const currencies = [...new Set(lines.map((l) => l.currencyCode))];
  return currencies.map((currencyCode) => {
    const of = lines.filter((l) => l.currencyCode === currencyCode);
    const total = { businessId: '', businessName: currencies.length > 1 ? `Total (${currencyCode})` : 'Total', currencyCode } as LiabilityLine;
    for (const [k] of LIABILITY_COLUMNS) (total as unknown as Record<string, Money>)[k] = sumMoney(currencyCode, of.map((l) => field(l, k)));
    return total;
  });
}

const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The table as CSV (RFC 4180, exact decimal amounts), the total rows included. */
export function liabilityCsv(report: { from: string; to: string; asOf: string }, lines: LiabilityLine[]): string {
  const head = ['business_id', 'business_name', 'currency', 'from', 'to', ...LIABILITY_COLUMNS.map(([k]) => k)];
  const row = (l: LiabilityLine) => [l.businessId, l.businessName, l.currencyCode, report.from, report.to || report.asOf, ...LIABILITY_COLUMNS.map(([k]) => moneyToDecimal(field(l, k)))];
  return [head, ...lines.map(row), ...liabilityTotals(lines).map(row)].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

function Liability() {
  const { read, me, business } = useDesk();
  const today = todayIn(business.timeZone);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState(today);
  const ids = { from: useId(), to: useId() };
  const validPeriod = !from || !to || from <= to;
  const report = useQuery({ ...read.liability({ from: from || undefined, to: to || undefined, asOf: to || undefined }), enabled: validPeriod });
  const lines = (report.data?.businesses ?? []).filter((l) => me.businessIds.length === 0 || me.businessIds.includes(l.businessId));
  const totals = liabilityTotals(lines);
  const unreconciled = [...lines, ...totals].filter((l) => !sameMoney(expectedClosing(l), field(l, 'closing')));
  const download = () => {
    if (!report.data) return;
    saveFile(new Blob([liabilityCsv(report.data, lines)], { type: 'text/csv;charset=utf-8' }), `liability-${from || 'start'}-to-${to || today}.csv`);
  };
  return (
    <section className="card" aria-labelledby="liability-title">
      <h2 id="liability-title">Outstanding liability</h2>
      <p className="muted">
        Paid for and not yet used, refunded or expired{report.data ? `, at the end of ${formatDate(report.data.asOf)}` : ''}; movements {from ? `from ${formatDate(from)}` : 'since the first record'}
        {to ? ` to ${formatDate(to)}` : ''}.
      </p>
      <div className="row period">
        <div className="field">
          <label htmlFor={ids.from}>From</label>
          <input id={ids.from} type="date" value={from} max={to || undefined} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.to}>To</label>
          <input id={ids.to} type="date" value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} />
        </div>
        <button type="button" className="btn" onClick={download} disabled={!report.data || lines.length === 0}>
          Download CSV
        </button>
      </div>
      {!validPeriod && <p className="field-error">“From” must not be after “To”.</p>}
      <Loaded query={report} failed="Could not load the liability report.">
        {() =>
          lines.length === 0 ? (
            <Empty>No business yet.</Empty>
          ) : (
            <>
              <div className="tiles">
                {lines.map((l) => (
                  <div key={l.businessId} className="tile">
                    <div className="tile-label">{l.businessName}</div>
                    <div className="tile-value">{formatMoney(l.closing)}</div>
                  </div>
                ))}
              </div>
              <div className="table-wrap table-scroll" tabIndex={0} role="region" aria-label="Liability by business (scrolls sideways)">
                <table className="table">
                  <caption className="visually-hidden">Liability by business</caption>
                  <thead>
                    <tr>
                      <th scope="col">Business</th>
                      {LIABILITY_COLUMNS.map(([k, label]) => (
                        <th key={k} scope="col" className="num">
                          {label}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {lines.map((l) => (
                      <tr key={l.businessId}>
                        <th scope="row">{l.businessName}</th>
                        {LIABILITY_COLUMNS.map(([k]) => (
                          <td key={k} className={k === 'closing' ? 'num strong' : 'num'}>
                            {formatMoney(field(l, k))}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                  <tfoot>
                    {totals.map((t) => (
                      <tr key={t.currencyCode} className="total-row">
                        <th scope="row">{t.businessName}</th>
                        {LIABILITY_COLUMNS.map(([k]) => (
                          <td key={k} className="num strong">
                            {formatMoney(field(t, k))}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tfoot>
                </table>
              </div>
              <p className="muted small">
                Closing = opening + sold + imported − redeemed − refunded − expired + adjusted. Refunds paid is the money given back; it differs from refunded
                when a refund comes out of expired value.
              </p>
              {unreconciled.length > 0 && (
                <p className="notice notice-error" role="alert">
                  The figures for {unreconciled.map((l) => l.businessName).join(', ')} do not add up. Tell the administrator.
                </p>
              )}
            </>
          )
        }
      </Loaded>
    </section>
  );
}

function RedemptionsChart() {
  const { read, business } = useDesk();
  const report = useQuery(read.redemptionsPerDay(30, business.id));
  const data = useMemo(
    () => (report.data?.days ?? []).map((d) => ({ date: d.date, label: formatDate(d.date).replace(/,? \d{4}$/, ''), units: d.units })),
    [report.data],
  );
  const total = data.reduce((n, d) => n + d.units, 0);
  return (
    <section className="card" aria-labelledby="chart-title">
      <h2 id="chart-title">Redemptions per day</h2>
      <p className="muted">
        Units redeemed at {business.name}, last 30 days{report.data ? `: ${total} in all` : ''}.
      </p>
      <Loaded query={report} failed="Could not load redemptions.">
        {() =>
          (
            <>
              <div className="chart" role="img" aria-label={`Bar chart of units redeemed per day over the last 30 days, ${total} in all.`}>
                <ResponsiveContainer width="100%" height={240}>
                  <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
                    <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e4e1ee" />
                    <XAxis dataKey="label" tick={{ fontSize: 11 }} interval="preserveStartEnd" minTickGap={16} />
                    <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
                    <Tooltip formatter={(v) => [v, 'Units']} labelFormatter={(l) => String(l)} />
                    <Bar dataKey="units" fill="#5b4bb7" radius={[3, 3, 0, 0]} isAnimationActive={false} />
                  </BarChart>
                </ResponsiveContainer>
              </div>
              <details className="chart-data">
                <summary>Show as a table</summary>
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Day</th>
                      <th scope="col" className="num">
                        Units
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.map((d) => (
                      <tr key={d.date}>
                        <td>{formatDate(d.date)}</td>
                        <td className="num">{d.units}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </details>
            </>
          )
        }
      </Loaded>
    </section>
  );
}

function Expiring() {
  const { read, business } = useDesk();
  const expiring = useQuery(read.expiring(30, business.id));
  // Names and phone numbers for the people to call, each customer read once (and shared with other screens).
  const customerIds = [...new Set((expiring.data?.packages ?? []).map((p) => p.packageInfo.customerId))];
  const names = useQueries({
    queries: customerIds.map((id) => read.customer(id)),
    combine: (results) => new Map<string, Customer>(results.flatMap((r) => (r.data ? [[r.data.id, r.data] as const] : []))),
  });
  const today = todayIn(business.timeZone);
  return (
    <section className="card" aria-labelledby="expiring-title">
      <h2 id="expiring-title">Expiring in the next 30 days</h2>
      <Loaded query={expiring} failed="Could not load expiring packages.">
        {() =>
          expiring.data!.packages.length === 0 ? (
            <Empty>Nothing expires at {business.name} in the next 30 days.</Empty>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Customer</th>
                    <th scope="col">Phone</th>
                    <th scope="col">Package</th>
                    <th scope="col">Expires</th>
                    <th scope="col" className="num">
                      Left
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {expiring.data!.packages.map((p) => {
                    const c = names.get(p.packageInfo.customerId);
                    const days = daysBetween(today, p.packageInfo.expirationDate);
                    return (
                      <tr key={p.packageInfo.id}>
                        <td>
                          <Link to={paths.customer(p.packageInfo.customerId)}>{c ? `${c.firstName} ${c.lastName}`.trim() : p.packageInfo.customerId}</Link>
                        </td>
                        <td>{c?.phone ? <a href={`tel:${c.phone.replace(/[^\d+]/g, '')}`}>{c.phone}</a> : <span className="muted">—</span>}</td>
                        <td>
                          <Link to={paths.package(p.packageInfo.id)}>{p.packageInfo.packageName}</Link> {p.lifecycle !== 'ACTIVE' && <LifecycleBadge lifecycle={p.lifecycle} />}
                        </td>
                        <td>
                          {formatDate(p.packageInfo.expirationDate)} <span className="muted">({relativeDays(days)})</span>
                        </td>
                        <td className="num">
                          {unitsLeft(p)} <span className="muted">({formatMoney(p.remainingValue)})</span>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
              {expiring.data!.nextPageToken && <p className="muted">Showing the first {expiring.data!.packages.length}.</p>}
            </div>
          )
        }
      </Loaded>
    </section>
  );
}
