// Sell a package: pick a template (price, what is in it, how long it lasts), then confirm the charge.
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { Customer, Money, PackageDetail, PackageTemplate } from '../api/types';
import { useDesk } from '../context';
import { useCatalog } from '../api/use-catalog';
import { useAction } from '../lib/hooks';
import { learnName } from '../lib/messages';
import { compareMoney, formatMoney, sumMoney } from '../lib/money';
import { expirationPreview, formatDate, todayIn, validityText, NEVER } from '../lib/time';
import { Dialog } from './Dialog';
import { ErrorNotice, Loaded } from './ui';
import { StaffPicker, useStaffChoice } from './StaffPicker';

export function SellDialog({ customer, onClose, onSold }: { customer: Customer; onClose: () => void; onSold: (pkg: PackageDetail) => void }) {
  const { change, changed, business } = useDesk();
  const catalog = useCatalog();
  const templates = useMemo(
    () =>
      (catalog.data?.templates ?? [])
        .filter((t) => !t.archived && (t.businessIds.length === 0 || t.businessIds.includes(business.id)))
        .sort((a, b) => a.name.localeCompare(b.name)),
    [catalog.data, business.id],
  );
  const [templateId, setTemplateId] = useState('');
  const [receiptNo, setReceiptNo] = useState('');
  const [step, setStep] = useState<'choose' | 'confirm'>('choose');
  const action = useAction();
  const receiptId = useId();
  const staff = useStaffChoice();
  // The step's content replaces what had focus: focus the question on review, the chosen package back.
  const confirmRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLFieldSetElement>(null);
  const firstStep = useRef(true);
  useEffect(() => {
    if (firstStep.current) {
      firstStep.current = false;
      return;
    }
    if (step === 'confirm') confirmRef.current?.focus();
    else listRef.current?.querySelector<HTMLInputElement>('input:checked')?.focus();
  }, [step]);
  for (const t of catalog.data?.templates ?? []) learnName(t.id, t.name);
  const chosen = templates.find((t) => t.id === templateId);
  const customerName = `${customer.firstName} ${customer.lastName}`.trim();

  const submit = async () => {
    if (!chosen) return;
    if (step === 'choose') return setStep('confirm');
    const body = {
      templateId: chosen.id,
      customerId: customer.id,
      businessId: business.id,
      ...(staff.staffId ? { staffId: staff.staffId } : {}),
      ...(receiptNo.trim() ? { invoice: { no: receiptNo.trim() } } : {}),
    };
    const pkg = await action.run(`sell:${JSON.stringify(body)}`, (key) => change.sell(body, key));
    if (!pkg) return;
    changed.package(pkg);
    onSold(pkg);
  };

  return (
    <Dialog
      wide
      title={step === 'choose' ? `Sell a package to ${customerName}` : 'Confirm the sale'}
      onClose={onClose}
      busy={action.busy}
      onSubmit={submit}
      actions={
        <>
          {step === 'confirm' && (
            <button type="button" className="btn" onClick={() => setStep('choose')} disabled={action.busy}>
              Back
            </button>
          )}
          <button type="submit" className="btn btn-primary" disabled={!chosen || action.busy}>
            {step === 'choose' ? 'Review sale' : action.busy ? 'Selling…' : `Charge ${chosen ? formatMoney(chosen.price) : ''} and sell`}
          </button>
        </>
      }
    >
      <Loaded query={catalog} loading="Loading the catalog…">
        {() =>
          step === 'confirm' && chosen ? (
            <div className="confirm" ref={confirmRef} tabIndex={-1}>
              <p className="confirm-lead">
                Sell <strong>{chosen.name}</strong> to <strong>{customerName}</strong> at {business.name} for <strong className="money-big">{formatMoney(chosen.price)}</strong>?
              </p>
              <TemplatePreview template={chosen} names={catalog.data!} timeZone={business.timeZone} />
              {receiptNo.trim() && <p>Receipt no. {receiptNo.trim()}</p>}
            </div>
          ) : templates.length === 0 ? (
            <p className="empty">No package is on sale at {business.name}. An ADMIN can add templates in the catalog.</p>
          ) : (
            <>
              <fieldset className="template-list" ref={listRef}>
                <legend>Package</legend>
                {templates.map((t) => (
                  <label key={t.id} className={`template-option${t.id === templateId ? ' selected' : ''}`}>
                    <input type="radio" name="template" value={t.id} checked={t.id === templateId} onChange={() => setTemplateId(t.id)} />
                    <span className="template-option-main">
                      <span className="template-name">{t.name}</span>
                      <span className="muted">{validityText(t.validity)}</span>
                    </span>
                    <span className="template-price">{formatMoney(t.price)}</span>
                  </label>
                ))}
              </fieldset>
              {chosen && <TemplatePreview template={chosen} names={catalog.data!} timeZone={business.timeZone} />}
              <div className="field">
                <label htmlFor={receiptId}>Receipt no. (optional)</label>
                <input id={receiptId} value={receiptNo} onChange={(e) => setReceiptNo(e.target.value)} maxLength={64} />
              </div>
              <StaffPicker choice={staff} label="Sold by" />
            </>
          )
        }
      </Loaded>
      <ErrorNotice error={action.error} />
    </Dialog>
  );
}

/**
 * An item's exact value, then its unit price: the unit prices are rounded, and the last unit carries the
 * remainder, so "$40.00 each" times 5 may not be the value; the values add up to the price exactly.
 */
export function itemValueText(i: { quantity: number; unitPrice: Money; value?: Money }): string {
  if (!i.value) return `${formatMoney(i.unitPrice)} each`;
  if (i.quantity <= 1) return formatMoney(i.value);
  const even = compareMoney(sumMoney(i.value.currencyCode, Array.from({ length: i.quantity }, () => i.unitPrice)), i.value) === 0;
  return `${formatMoney(i.value)}: ${formatMoney(i.unitPrice)} each${even ? '' : ', the last unit carrying the rounding'}`;
}

export function TemplatePreview({
  template: t,
  names,
  timeZone,
}: {
  template: PackageTemplate;
  names: { services: { id: string; name: string }[]; products: { id: string; name: string }[] };
  timeZone: string;
}) {
  const service = (id: string) => names.services.find((s) => s.id === id)?.name ?? id;
  const product = (id: string) => names.products.find((p) => p.id === id)?.name ?? id;
  const expires = expirationPreview(t.validity, todayIn(timeZone));
  return (
    <div className="preview" aria-label="What the customer gets">
      {t.description && <p>{t.description}</p>}
      <ul className="preview-items">
        {t.items.map((i, n) => (
          <li key={`s${n}`}>
            <strong>{i.quantity} ×</strong> {i.serviceIds.map(service).join(' or ')} <span className="muted">({itemValueText(i)})</span>
          </li>
        ))}
        {t.productItems.map((i, n) => (
          <li key={`p${n}`}>
            <strong>{i.quantity} ×</strong> {product(i.productId)} <span className="muted">({itemValueText(i)})</span>
          </li>
        ))}
      </ul>
      <dl className="facts">
        <div>
          <dt>Price</dt>
          <dd>{formatMoney(t.price)}</dd>
        </div>
        <div>
          <dt>Valid for</dt>
          <dd>{validityText(t.validity)}</dd>
        </div>
        <div>
          <dt>{t.activation === 'ON_FIRST_REDEMPTION' ? 'Starts' : 'Expires'}</dt>
          <dd>
            {t.activation === 'ON_FIRST_REDEMPTION' ? 'at the first visit' : expires === NEVER ? 'never' : formatDate(expires)}
            {t.gracePeriodDays > 0 ? ` + ${t.gracePeriodDays} grace days` : ''}
          </dd>
        </div>
        {t.restrictRedemptionToSellingBusiness && (
          <div>
            <dt>Where</dt>
            <dd>only where it is sold</dd>
          </div>
        )}
      </dl>
    </div>
  );
}
