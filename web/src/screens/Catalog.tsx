// The catalog (ADMIN): services, products, and the package templates sold from them.
import { useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Business, Money, PackageTemplate, Product, Service, TemplateInput, TemplateType, Validity } from '../api/types';
import { useDesk } from '../context';
import { Dialog } from '../components/Dialog';
import { Empty, ErrorNotice, Loaded } from '../components/ui';
import { useCatalog } from '../api/use-catalog';
import { ArchiveDialog, RestoreButton } from '../components/ArchiveControls';
import { useAction } from '../lib/hooks';
import { slugId } from '../lib/ids';
import { formatMoney, moneyToDecimal, parseMoneyInput } from '../lib/money';
import { validityText } from '../lib/time';

type Tab = 'templates' | 'services' | 'products';

export function CatalogScreen() {
  const { changed } = useDesk();
  const [tab, setTab] = useState<Tab>('templates');
  const [showArchived, setShowArchived] = useState(false);
  const data = useCatalog({ includeArchived: true });
  const tabs: { id: Tab; label: string }[] = [
    { id: 'templates', label: 'Package templates' },
    { id: 'services', label: 'Services' },
    { id: 'products', label: 'Products' },
  ];
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});
  const onTabKey = (e: KeyboardEvent) => {
    const i = tabs.findIndex((t) => t.id === tab);
    const next = e.key === 'ArrowRight' ? (i + 1) % tabs.length : e.key === 'ArrowLeft' ? (i - 1 + tabs.length) % tabs.length : -1;
    if (next >= 0) {
      e.preventDefault();
      setTab(tabs[next]!.id);
      tabRefs.current[tabs[next]!.id]?.focus();
    }
  };

  return (
    <div className="catalog">
      <h1>Catalog</h1>
      <div role="tablist" aria-label="Catalog" className="tabs" onKeyDown={onTabKey}>
        {tabs.map((t) => (
          <button
            key={t.id}
            ref={(el) => {
              tabRefs.current[t.id] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            className="tab"
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="card">
        <Loaded query={data} loading="Loading the catalog…" failed="Could not load the catalog.">
          {() =>
            tab === 'templates' ? (
              <Templates
                templates={data.data!.templates.filter((t) => showArchived || !t.archived)}
                services={data.data!.services}
                products={data.data!.products}
                onChanged={changed.catalog}
                showArchived={showArchived}
                setShowArchived={setShowArchived}
              />
            ) : tab === 'services' ? (
              <Services services={data.data!.services} onChanged={changed.catalog} />
            ) : (
              <Products products={data.data!.products} onChanged={changed.catalog} />
            )
          }
        </Loaded>
      </div>
    </div>
  );
}

function whereText(ids: string[], businesses: Business[]): string {
  if (ids.length === 0) return 'Everywhere';
  return ids.map((id) => businesses.find((b) => b.id === id)?.name ?? id).join(', ');
}

function BusinessChecks({ value, onChange, legend }: { value: string[]; onChange: (ids: string[]) => void; legend: string }) {
  const { businesses } = useDesk();
  if (businesses.length < 2) return null;
  return (
    <fieldset className="checks">
      <legend>{legend}</legend>
      <p className="hint">None checked means every business.</p>
      {businesses.map((b) => (
        <label key={b.id} className="check">
          <input type="checkbox" checked={value.includes(b.id)} onChange={(e) => onChange(e.target.checked ? [...value, b.id] : value.filter((x) => x !== b.id))} />
          {b.name}
        </label>
      ))}
    </fieldset>
  );
}

function MoneyField({ id, label, value, onChange, currency, required }: { id: string; label: string; value: string; onChange: (v: string) => void; currency: string; required?: boolean }) {
  const bad = value.trim() !== '' && parseMoneyInput(value, currency) === null;
  return (
    <div className="field">
      <label htmlFor={id}>
        {label} ({currency})
      </label>
      <input id={id} inputMode="decimal" value={value} onChange={(e) => onChange(e.target.value)} required={required} aria-invalid={bad} />
      {bad && <p className="field-error">Enter an amount such as 30 or 29.99.</p>}
    </div>
  );
}

// Services and products: the same list and the same dialog, a service with its duration besides.

type PricedKind = 'service' | 'product';
type Priced = Service | Product;

const PRICED = {
  service: { title: 'Services', idPrefix: 'srv', empty: 'No services yet. Add the services your packages will include.' },
  product: { title: 'Products', idPrefix: 'prd', empty: 'No products yet.' },
} as const;

function Services({ services, onChanged }: { services: Service[]; onChanged: () => void }) {
  return <PricedList kind="service" items={services} onChanged={onChanged} />;
}

function Products({ products, onChanged }: { products: Product[]; onChanged: () => void }) {
  return <PricedList kind="product" items={products} onChanged={onChanged} />;
}

const isService = (item: Priced): item is Service => 'durationMinutes' in item;

function PricedList({ kind, items, onChanged }: { kind: PricedKind; items: Priced[]; onChanged: () => void }) {
  const { businesses } = useDesk();
  const [editing, setEditing] = useState<Priced | 'new' | null>(null);
  const [archiving, setArchiving] = useState<Priced | null>(null);
  const [showArchived, setShowArchived] = useState(false);
  const archivedId = useId();
  const archivedCount = items.filter((i) => i.archived).length;
  const sorted = items.filter((i) => showArchived || !i.archived).sort((a, b) => Number(a.archived) - Number(b.archived) || a.name.localeCompare(b.name));
  const spec = PRICED[kind];
  return (
    <>
      <div className="pane-head">
        <h2>{spec.title}</h2>
        <div className="actions">
          {archivedCount > 0 && (
            <label className="check inline" htmlFor={archivedId}>
              <input id={archivedId} type="checkbox" checked={showArchived} onChange={(e) => setShowArchived(e.target.checked)} />
              Show archived ({archivedCount})
            </label>
          )}
          <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
            New {kind}
          </button>
        </div>
      </div>
      {sorted.length === 0 ? (
        <Empty>{spec.empty}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                {kind === 'service' && (
                  <th scope="col" className="num">
                    Minutes
                  </th>
                )}
                <th scope="col" className="num">
                  Price
                </th>
                <th scope="col">Offered at</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((item) => (
                <tr key={item.id} className={item.archived ? 'archived' : undefined}>
                  <th scope="row">
                    {item.name} {item.archived && <span className="badge badge-cancelled">Archived</span>}
                    <div className="muted small">{item.id}</div>
                  </th>
                  {isService(item) && <td className="num">{item.durationMinutes}</td>}
                  <td className="num">{formatMoney(item.price)}</td>
                  <td>{whereText(item.businessIds, businesses)}</td>
                  <td className="row-actions">
                    <button type="button" className="btn btn-small" onClick={() => setEditing(item)} aria-label={`Edit ${item.name}`}>
                      Edit
                    </button>
                    {item.archived ? (
                      <RestoreButton kind={kind} entity={item} onDone={onChanged} />
                    ) : (
                      <button type="button" className="btn btn-small" onClick={() => setArchiving(item)} aria-label={`Archive ${item.name}`}>
                        Archive
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && (
        <PricedDialog
          kind={kind}
          item={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            onChanged();
          }}
        />
      )}
      {archiving && (
        <ArchiveDialog
          kind={kind}
          entity={archiving}
          onClose={() => setArchiving(null)}
          onDone={() => {
            setArchiving(null);
            onChanged();
          }}
        />
      )}
    </>
  );
}

function PricedDialog({ kind, item, onClose, onSaved }: { kind: PricedKind; item: Priced | null; onClose: () => void; onSaved: () => void }) {
  const { change, business } = useDesk();
  const currency = item?.price.currencyCode ?? business.currencyCode;
  const [name, setName] = useState(item?.name ?? '');
  const [minutes, setMinutes] = useState(String(item && isService(item) ? item.durationMinutes : 60));
  const [price, setPrice] = useState(item ? moneyToDecimal(item.price) : '');
  const [where, setWhere] = useState<string[]>(item?.businessIds ?? []);
  const action = useAction();
  const ids = { name: useId(), minutes: useId(), price: useId() };
  const idRef = useRef(item?.id ?? null);
  const money = parseMoneyInput(price, currency);
  const m = Number(minutes);
  const validMinutes = kind === 'product' || (Number.isInteger(m) && m >= 0 && m <= 1440);
  const valid = name.trim() !== '' && money !== null && validMinutes;

  const submit = async () => {
    if (!valid) return;
    idRef.current ??= slugId(PRICED[kind].idPrefix, name);
    const id = idRef.current;
    const common = { name: name.trim(), price: money!, businessIds: where };
    const saved =
      kind === 'service'
        ? await action.run(`service:${id}:${JSON.stringify({ ...common, durationMinutes: m })}`, () => change.upsertService(id, { ...common, durationMinutes: m }))
        : await action.run(`product:${id}:${JSON.stringify(common)}`, () => change.upsertProduct(id, common));
    if (saved) onSaved();
  };
  const priceField = <MoneyField id={ids.price} label="Price" value={price} onChange={setPrice} currency={currency} required />;
  return (
    <Dialog
      title={item ? `Edit ${item.name}` : `New ${kind}`}
      onClose={onClose}
      busy={action.busy}
      onSubmit={submit}
      actions={
        <button type="submit" className="btn btn-primary" disabled={!valid || action.busy}>
          {action.busy ? 'Saving…' : `Save ${kind}`}
        </button>
      }
    >
      <div className="field">
        <label htmlFor={ids.name}>Name</label>
        <input id={ids.name} value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
      </div>
      {kind === 'service' ? (
        <div className="row">
          <div className="field">
            <label htmlFor={ids.minutes}>Duration (minutes)</label>
            <input id={ids.minutes} type="number" min={0} max={1440} value={minutes} onChange={(e) => setMinutes(e.target.value)} required />
          </div>
          {priceField}
        </div>
      ) : (
        priceField
      )}
      <BusinessChecks value={where} onChange={setWhere} legend="Offered at" />
      <ErrorNotice error={action.error} />
    </Dialog>
  );
}

// Templates

function Templates(props: {
  templates: PackageTemplate[];
  services: Service[];
  products: Product[];
  onChanged: () => void;
  showArchived: boolean;
  setShowArchived: (v: boolean) => void;
}) {
  const { businesses } = useDesk();
  const [editing, setEditing] = useState<PackageTemplate | 'new' | null>(null);
  const [archiving, setArchiving] = useState<PackageTemplate | null>(null);
  const sorted = [...props.templates].sort((a, b) => Number(a.archived) - Number(b.archived) || a.name.localeCompare(b.name));
  const serviceName = (id: string) => props.services.find((s) => s.id === id)?.name ?? id;
  const productName = (id: string) => props.products.find((p) => p.id === id)?.name ?? id;
  const archivedId = useId();
  return (
    <>
      <div className="pane-head">
        <h2>Package templates</h2>
        <div className="actions">
          <label className="check inline" htmlFor={archivedId}>
            <input id={archivedId} type="checkbox" checked={props.showArchived} onChange={(e) => props.setShowArchived(e.target.checked)} />
            Show archived
          </label>
          <button type="button" className="btn btn-primary" onClick={() => setEditing('new')} disabled={!props.services.some((x) => !x.archived) && !props.products.some((x) => !x.archived)}>
            New template
          </button>
        </div>
      </div>
      {!props.services.some((x) => !x.archived) && !props.products.some((x) => !x.archived) && <p className="notice notice-info">Add a service or a product first: a template is made of them.</p>}
      {sorted.length === 0 ? (
        <Empty>No templates yet.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Includes</th>
                <th scope="col" className="num">
                  Price
                </th>
                <th scope="col">Valid for</th>
                <th scope="col">Sold at</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((t) => (
                <tr key={t.id} className={t.archived ? 'archived' : undefined}>
                  <th scope="row">
                    {t.name} {t.archived && <span className="badge badge-cancelled">Archived</span>}
                    <div className="muted small">{t.id}</div>
                  </th>
                  <td>
                    {[
                      ...t.items.map((i) => `${i.quantity} × ${i.serviceIds.map(serviceName).join(' or ')}`),
                      ...t.productItems.map((i) => `${i.quantity} × ${productName(i.productId)}`),
                    ].join(', ')}
                  </td>
                  <td className="num">{formatMoney(t.price)}</td>
                  <td>{validityText(t.validity)}</td>
                  <td>{whereText(t.businessIds, businesses)}</td>
                  <td className="row-actions">
                    {t.archived ? (
                      <RestoreButton kind="template" entity={t} onDone={props.onChanged} />
                    ) : (
                      <>
                        <button type="button" className="btn btn-small" onClick={() => setEditing(t)} aria-label={`Edit ${t.name}`}>
                          Edit
                        </button>
                        <button type="button" className="btn btn-small" onClick={() => setArchiving(t)} aria-label={`Archive ${t.name}`}>
                          Archive
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && (
        <TemplateDialog
          template={editing === 'new' ? null : editing}
          services={props.services}
          products={props.products}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            props.onChanged();
          }}
        />
      )}
      {archiving && (
        <ArchiveDialog
          kind="template"
          entity={archiving}
          onClose={() => setArchiving(null)}
          onDone={() => {
            setArchiving(null);
            props.onChanged();
          }}
        />
      )}
    </>
  );
}

interface ItemRow {
  key: number;
  refId: string;
  quantity: string;
  unitPrice: string;
}

type ValidityKind = 'days' | 'months' | 'never';

function validityOf(kind: ValidityKind, n: number): Validity {
  return kind === 'never' ? { never: true } : kind === 'days' ? { days: n } : { months: n };
}

function TemplateDialog({ template, services, products, onClose, onSaved }: { template: PackageTemplate | null; services: Service[]; products: Product[]; onClose: () => void; onSaved: () => void }) {
  const { change, business } = useDesk();
  const currency = template?.price.currencyCode ?? business.currencyCode;
  const nextKey = useRef(1);
  const row = (refId: string, quantity: number, unitPrice: Money | null): ItemRow => ({
    key: nextKey.current++,
    refId,
    quantity: String(quantity),
    unitPrice: unitPrice ? moneyToDecimal(unitPrice) : '',
  });
  // An archived service or product cannot go into a template; one the template already holds may stay.
  const sortedServices = useMemo(
    () => services.filter((s) => !s.archived || template?.items.some((i) => i.serviceIds.includes(s.id))).sort((a, b) => a.name.localeCompare(b.name)),
    [services, template],
  );
  const sortedProducts = useMemo(
    () => products.filter((p) => !p.archived || template?.productItems.some((i) => i.productId === p.id)).sort((a, b) => a.name.localeCompare(b.name)),
    [products, template],
  );

  const [name, setName] = useState(template?.name ?? '');
  const [description, setDescription] = useState(template?.description ?? '');
  const [type, setType] = useState<TemplateType>(template?.type ?? 'REGULAR');
  const [price, setPrice] = useState(template ? moneyToDecimal(template.price) : '');
  const [items, setItems] = useState<ItemRow[]>(() =>
    template ? template.items.map((i) => row(i.serviceIds[0] ?? '', i.quantity, i.unitPriceGiven ? i.unitPrice : null)) : sortedServices[0] ? [row(sortedServices[0].id, 5, null)] : [],
  );
  const [productItems, setProductItems] = useState<ItemRow[]>(() => (template ? template.productItems.map((i) => row(i.productId, i.quantity, i.unitPriceGiven ? i.unitPrice : null)) : []));
  const initialKind: ValidityKind = template ? ('never' in template.validity ? 'never' : 'months' in template.validity ? 'months' : 'days') : 'days';
  const [validityKind, setValidityKind] = useState<ValidityKind>(initialKind);
  const [validityN, setValidityN] = useState(
    template ? ('days' in template.validity ? String(template.validity.days) : 'months' in template.validity ? String(template.validity.months) : '365') : '365',
  );
  const [grace, setGrace] = useState(String(template?.gracePeriodDays ?? 0));
  const [activation, setActivation] = useState(template?.activation ?? 'ON_PURCHASE');
  const [restrict, setRestrict] = useState(template?.restrictRedemptionToSellingBusiness ?? false);
  const [where, setWhere] = useState<string[]>(template?.businessIds ?? []);
  const action = useAction();
  // A new template's id is chosen once per dialog: a retry after a lost answer cannot create it twice.
  const newId = useRef<string | null>(null);
  const ids = { name: useId(), desc: useId(), type: useId(), price: useId(), vkind: useId(), vn: useId(), grace: useId(), act: useId(), restrict: useId() };

  const money = parseMoneyInput(price, currency);
  const n = Number(validityN);
  const g = Number(grace);
  const rowsValid = (rows: ItemRow[]) =>
    rows.every((r) => r.refId && Number.isInteger(Number(r.quantity)) && Number(r.quantity) >= 1 && (r.unitPrice.trim() === '' || parseMoneyInput(r.unitPrice, currency) !== null));
  const valid =
    name.trim() !== '' &&
    money !== null &&
    items.length + productItems.length > 0 &&
    rowsValid(items) &&
    rowsValid(productItems) &&
    (validityKind === 'never' || (Number.isInteger(n) && n >= 1)) &&
    Number.isInteger(g) &&
    g >= 0;

  const submit = async () => {
    if (!valid) return;
    const unit = (r: ItemRow) => (r.unitPrice.trim() ? parseMoneyInput(r.unitPrice, currency) : null);
    const body: TemplateInput = {
      name: name.trim(),
      description: description.trim(),
      type,
      price: money!,
      items: items.map((r) => ({ serviceIds: [r.refId], quantity: Number(r.quantity), unitPrice: unit(r) })),
      productItems: productItems.map((r) => ({ productId: r.refId, quantity: Number(r.quantity), unitPrice: unit(r) })),
      validity: validityOf(validityKind, n),
      gracePeriodDays: g,
      activation,
      restrictRedemptionToSellingBusiness: restrict,
      businessIds: where,
    };
    newId.current ??= slugId('tpl', body.name);
    const id = newId.current;
    const done = await action.run(`template:${template?.id ?? id}:${JSON.stringify(body)}`, () =>
      template ? change.updateTemplate(template.id, body) : change.createTemplate({ id, ...body }),
    );
    if (done) onSaved();
  };

  const rowsEditor = (label: string, rows: ItemRow[], setRows: (r: ItemRow[]) => void, options: { id: string; name: string }[]) => (
    <fieldset className="rows">
      <legend>{label}</legend>
      {rows.length === 0 && <p className="muted">None.</p>}
      {rows.map((r, i) => (
        <div key={r.key} className="item-row">
          <div className="field grow">
            <label htmlFor={`${ids.name}-${label}-${r.key}-ref`}>{label === 'Services' ? 'Service' : 'Product'}</label>
            <select id={`${ids.name}-${label}-${r.key}-ref`} value={r.refId} onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, refId: e.target.value } : x)))}>
              {options.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field narrow">
            <label htmlFor={`${ids.name}-${label}-${r.key}-qty`}>Quantity</label>
            <input id={`${ids.name}-${label}-${r.key}-qty`} type="number" min={1} max={10000} value={r.quantity} onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, quantity: e.target.value } : x)))} />
          </div>
          <div className="field narrow">
            <label htmlFor={`${ids.name}-${label}-${r.key}-unit`}>Unit price (optional)</label>
            <input id={`${ids.name}-${label}-${r.key}-unit`} inputMode="decimal" value={r.unitPrice} placeholder="allocated" onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, unitPrice: e.target.value } : x)))} />
          </div>
          <button type="button" className="btn btn-small btn-ghost remove" onClick={() => setRows(rows.filter((_, j) => j !== i))} aria-label={`Remove ${options.find((o) => o.id === r.refId)?.name ?? 'item'}`}>
            Remove
          </button>
        </div>
      ))}
      {options.length > 0 && (
        <button type="button" className="btn btn-small" onClick={() => setRows([...rows, row(options[0]!.id, 1, null)])}>
          Add {label === 'Services' ? 'a service' : 'a product'}
        </button>
      )}
    </fieldset>
  );

  return (
    <Dialog
      wide
      title={template ? `Edit ${template.name}` : 'New package template'}
      onClose={onClose}
      busy={action.busy}
      onSubmit={submit}
      actions={
        <button type="submit" className="btn btn-primary" disabled={!valid || action.busy}>
          {action.busy ? 'Saving…' : 'Save template'}
        </button>
      }
    >
      {template && <p className="notice notice-info">Changes apply to later sales only: packages already sold keep what they were sold with.</p>}
      <div className="row">
        <div className="field grow">
          <label htmlFor={ids.name}>Name</label>
          <input id={ids.name} value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
        </div>
        <div className="field">
          <label htmlFor={ids.type}>Type</label>
          <select id={ids.type} value={type} onChange={(e) => setType(e.target.value as TemplateType)}>
            <option value="REGULAR">Regular</option>
            <option value="CUSTOM">Custom</option>
            <option value="OFFER">Offer</option>
            <option value="CUSTOM_OFFER">Custom offer</option>
          </select>
        </div>
      </div>
      <div className="field">
        <label htmlFor={ids.desc}>Description</label>
        <textarea id={ids.desc} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} rows={2} />
      </div>
      <MoneyField id={ids.price} label="Price" value={price} onChange={setPrice} currency={currency} required />
      {rowsEditor('Services', items, setItems, sortedServices)}
      {sortedProducts.length > 0 && rowsEditor('Products', productItems, setProductItems, sortedProducts)}
      <p className="hint">Unit prices left blank are allocated from the price in proportion to list prices. Given ones must add up to the price.</p>
      <div className="row">
        <div className="field">
          <label htmlFor={ids.vkind}>Valid for</label>
          <select id={ids.vkind} value={validityKind} onChange={(e) => setValidityKind(e.target.value as ValidityKind)}>
            <option value="days">Days</option>
            <option value="months">Months</option>
            <option value="never">Never expires</option>
          </select>
        </div>
        {validityKind !== 'never' && (
          <div className="field narrow">
            <label htmlFor={ids.vn}>{validityKind === 'days' ? 'Days' : 'Months'}</label>
            <input id={ids.vn} type="number" min={1} value={validityN} onChange={(e) => setValidityN(e.target.value)} />
          </div>
        )}
        <div className="field narrow">
          <label htmlFor={ids.grace}>Grace days</label>
          <input id={ids.grace} type="number" min={0} max={3650} value={grace} onChange={(e) => setGrace(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.act}>Validity starts</label>
          <select id={ids.act} value={activation} onChange={(e) => setActivation(e.target.value as typeof activation)}>
            <option value="ON_PURCHASE">On purchase</option>
            <option value="ON_FIRST_REDEMPTION">On the first visit</option>
          </select>
        </div>
      </div>
      <div className="check">
        <input id={ids.restrict} type="checkbox" checked={restrict} onChange={(e) => setRestrict(e.target.checked)} />
        <label htmlFor={ids.restrict}>Redeemable only at the business that sold it</label>
      </div>
      <BusinessChecks value={where} onChange={setWhere} legend="Sold at" />
      <ErrorNotice error={action.error} />
    </Dialog>
  );
}
