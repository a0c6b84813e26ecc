// The day's picture: what is owed in unused packages, what expires soon, and how many visits were redeemed.
import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Customer } from '../api/types';
import { useDesk } from '../context';
import { unitsLeft } from '../components/PackageParts';
import { Empty, ErrorNotice, LifecycleBadge, Loading } from '../components/ui';
import { useQuery } from '../lib/hooks';
import { formatMoney } from '../lib/money';
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

function Liability() {
  const { client, me } = useDesk();
  const report = useQuery((signal) => client.liability({ signal }), [client]);
  const lines = (report.data?.businesses ?? []).filter((l) => me.businessIds.length === 0 || me.businessIds.includes(l.businessId));
  return (
    <section className="card" aria-labelledby="liability-title">
      <h2 id="liability-title">Outstanding liability</h2>
      <p className="muted">Paid for and not yet used, refunded or expired{report.data ? `, as of ${formatDate(report.data.asOf)}` : ''}.</p>
      {report.loading && !report.data ? (
        <Loading />
      ) : report.error && !report.data ? (
        <ErrorNotice error={report.error} onRetry={report.reload} title="Could not load the liability report." />
      ) : lines.length === 0 ? (
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
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Liability by business</caption>
              <thead>
                <tr>
                  <th scope="col">Business</th>
                  <th scope="col" className="num">
                    Sold
                  </th>
                  <th scope="col" className="num">
                    Redeemed
                  </th>
                  <th scope="col" className="num">
                    Refunded
                  </th>
                  <th scope="col" className="num">
                    Expired
                  </th>
                  <th scope="col" className="num">
                    Outstanding
                  </th>
                </tr>
              </thead>
              <tbody>
                {lines.map((l) => (
                  <tr key={l.businessId}>
                    <th scope="row">{l.businessName}</th>
                    <td className="num">{formatMoney(l.sold)}</td>
                    <td className="num">{formatMoney(l.redeemed)}</td>
                    <td className="num">{formatMoney(l.refunded)}</td>
                    <td className="num">{formatMoney(l.expired)}</td>
                    <td className="num strong">{formatMoney(l.closing)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function RedemptionsChart() {
  const { client, business } = useDesk();
  const report = useQuery((signal) => client.redemptionsPerDay(30, { businessId: business.id, signal }), [client, business.id]);
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
      {report.loading && !report.data ? (
        <Loading />
      ) : report.error && !report.data ? (
        <ErrorNotice error={report.error} onRetry={report.reload} title="Could not load redemptions." />
      ) : (
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
      )}
    </section>
  );
}

function Expiring() {
  const { client, business } = useDesk();
  const expiring = useQuery(async (signal) => {
    const page = await client.expiring(30, { businessId: business.id, signal });
    // Names for the people, fetched once each.
    const ids = [...new Set(page.packages.map((p) => p.packageInfo.customerId))];
    const customers = await Promise.all(ids.map((id) => client.customer(id, signal).catch(() => null)));
    const names = new Map<string, Customer>(customers.filter((c): c is Customer => c !== null).map((c) => [c.id, c]));
    return { ...page, names };
  }, [client, business.id]);
  const today = todayIn(business.timeZone);
  return (
    <section className="card" aria-labelledby="expiring-title">
      <h2 id="expiring-title">Expiring in the next 30 days</h2>
      {expiring.loading && !expiring.data ? (
        <Loading />
      ) : expiring.error && !expiring.data ? (
        <ErrorNotice error={expiring.error} onRetry={expiring.reload} title="Could not load expiring packages." />
      ) : expiring.data!.packages.length === 0 ? (
        <Empty>Nothing expires at {business.name} in the next 30 days.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Customer</th>
                <th scope="col">Package</th>
                <th scope="col">Expires</th>
                <th scope="col" className="num">
                  Left
                </th>
              </tr>
            </thead>
            <tbody>
              {expiring.data!.packages.map((p) => {
                const c = expiring.data!.names.get(p.packageInfo.customerId);
                const days = daysBetween(today, p.packageInfo.expirationDate);
                return (
                  <tr key={p.packageInfo.id}>
                    <td>
                      <Link to={paths.customer(p.packageInfo.customerId)}>{c ? `${c.firstName} ${c.lastName}`.trim() : p.packageInfo.customerId}</Link>
                    </td>
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
      )}
    </section>
  );
}
