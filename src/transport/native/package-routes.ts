// The package lifecycle on the native surface. Each handler parses, calls one use case and presents it.
import { Type, type Static } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../application/context.js';
import { archiveTemplate, createTemplate, getTemplate, listTemplates, restoreTemplate, updateTemplate } from '../../application/catalog.js';
import type { Outcome } from '../../application/idempotency.js';
import { adjustPackage, cancelPackage, extendPackage, freezePackage, previewRefund, unfreezePackage, type RefundSpec } from '../../application/package-admin.js';
import { getPackage, listCustomerPackages, listEvents, listExpiring } from '../../application/package-queries.js';
import { parsePageRequest } from '../../application/paging.js';
import { autoRedeem, commitHold, getRedemption, redeem, redeemableCandidates, releaseHold, reverseRedemption, type RedemptionResult } from '../../application/redemption.js';
import { liabilityReport, redemptionsPerDay } from '../../application/reports.js';
import { sellPackage } from '../../application/selling.js';
import { parseInstant, parseLocalDate } from '../../domain/calendar.js';
import { invalidArgument } from '../../domain/errors.js';
import { parseMoney, toGoogleMoney, totalToGoogleMoney } from '../../domain/money.js';
import { Id, PageQuery, Ref } from '../http/schemas.js';
import type { HttpApp } from '../http/types.js';
import * as S from './package-schemas.js';
import { presentEvent, presentPackage, presentRedemption, presentTemplate } from './package-presenters.js';

const P = {
  company: Type.Object({ companyId: Id('the company') }),
  template: Type.Object({ companyId: Id('the company'), templateId: Id() }),
  package: Type.Object({ companyId: Id('the company'), packageId: Id() }),
  customer: Type.Object({ companyId: Id('the company'), customerId: Id() }),
  redemption: Type.Object({ companyId: Id('the company'), redemptionId: Id() }),
};
const ID_RE = '^[A-Za-z0-9_-]+';
const TemplateRef = Ref<S.PackageTemplateJson>('PackageTemplate');
/** The mutations that move balance or money honour Idempotency-Key (API.md Conventions). */
const IdempotencyHeaders = Type.Object(
  { 'idempotency-key': Type.Optional(Type.String({ description: 'a retry with the same key and body replays the first answer (Idempotency-Replayed: true)' })) },
  { additionalProperties: true },
);
const keyOf = (request: FastifyRequest) => request.headers['idempotency-key'] as string | undefined;

/** Answers an idempotent outcome, marking a replay. */
function answer<T, J>(reply: FastifyReply, outcome: Outcome<T>, present: (r: T) => J): J {
  if (outcome.replayed) reply.header('idempotency-replayed', 'true');
  return present(outcome.result);
}

const presentRedemptionResult = (r: RedemptionResult): S.RedemptionResultJson => ({ redemption: presentRedemption(r.redemption), package: presentPackage(r.view) });
const optTime = (v: string | undefined, field: string) => (v === undefined ? undefined : parseInstant(v, field));
const optDate = (v: string | undefined, field: string) => (v === undefined ? undefined : parseLocalDate(v, field));

function refundSpec(refund: string | { amount: unknown }): RefundSpec {
  if (typeof refund === 'string') {
    if (refund === 'NONE' || refund === 'FULL' || refund === 'PRORATED') return refund;
    throw invalidArgument('refund', 'must be NONE, FULL, PRORATED or {"amount": Money}');
  }
  return { amount: parseMoney(refund.amount, 'refund.amount') };
}

export function registerPackageRoutes(app: HttpApp, deps: Deps): void {
  const base = '/v1/companies/:companyId';
  let tags = ['Package templates'];

  app.post(`${base}/packageTemplates`, { schema: { tags, summary: 'Add a template to the catalog (ADMIN)', params: P.company, body: S.CreateTemplateBody, response: { 201: TemplateRef } } }, async (req, reply) => {
    const b = req.body;
    const t = await createTemplate(deps, req.principal, req.params.companyId, {
      ...b,
      price: parseMoney(b.price, 'price'),
      items: b.items?.map((i, n) => ({ ...i, unitPrice: i.unitPrice ? parseMoney(i.unitPrice, `items[${n}].unitPrice`) : null })),
      productItems: b.productItems?.map((i, n) => ({ ...i, unitPrice: i.unitPrice ? parseMoney(i.unitPrice, `productItems[${n}].unitPrice`) : null })),
    });
    return reply.code(201).send(presentTemplate(t));
  });

  app.get(
    `${base}/packageTemplates`,
    { schema: { tags, summary: 'List templates', params: P.company, querystring: Type.Object({ ...PageQuery, includeArchived: Type.Optional(Type.Boolean()) }), response: { 200: S.TemplateList } } },
    async (req) => {
      const page = await listTemplates(deps, req.principal, req.params.companyId, parsePageRequest(req.query.pageSize, req.query.pageToken), req.query.includeArchived ?? false);
      return { packageTemplates: page.items.map(presentTemplate), nextPageToken: page.nextPageToken };
    },
  );

  app.get(`${base}/packageTemplates/:templateId`, { schema: { tags, summary: 'Read a template', params: P.template, response: { 200: TemplateRef } } }, async (req) =>
    presentTemplate(await getTemplate(deps, req.principal, req.params.companyId, req.params.templateId)),
  );

  app.patch(
    `${base}/packageTemplates/:templateId`,
    { schema: { tags, summary: 'Change a template; sold packages keep theirs (ADMIN)', params: P.template, body: S.PatchTemplateBody, response: { 200: TemplateRef } } },
    async (req) => {
      const b = req.body;
      return presentTemplate(
        await updateTemplate(deps, req.principal, req.params.companyId, req.params.templateId, {
          ...b,
          price: b.price === undefined ? undefined : parseMoney(b.price, 'price'),
          items: b.items?.map((i, n) => ({ ...i, unitPrice: i.unitPrice ? parseMoney(i.unitPrice, `items[${n}].unitPrice`) : null })),
          productItems: b.productItems?.map((i, n) => ({ ...i, unitPrice: i.unitPrice ? parseMoney(i.unitPrice, `productItems[${n}].unitPrice`) : null })),
        }),
      );
    },
  );

  app.post(`${base}/packageTemplates/:templateId(${ID_RE})::archive`, { schema: { tags, summary: 'Take a template off sale (ADMIN)', params: P.template, response: { 200: TemplateRef } } }, async (req) =>
    presentTemplate(await archiveTemplate(deps, req.principal, req.params.companyId, req.params.templateId)),
  );

  app.post(`${base}/packageTemplates/:templateId(${ID_RE})::restore`, { schema: { tags, summary: 'Put an archived template back on sale (ADMIN)', params: P.template, response: { 200: TemplateRef } } }, async (req) =>
    presentTemplate(await restoreTemplate(deps, req.principal, req.params.companyId, req.params.templateId)),
  );

  tags = ['Customer packages'];

  app.post(`${base}/packages::sell`, { schema: { tags, summary: 'Sell a package', params: P.company, body: S.SellBody, headers: IdempotencyHeaders, response: { 200: S.PackageDetailRef } } }, async (req, reply) => {
    const b = req.body;
    const outcome = await sellPackage(
      deps,
      req.principal,
      req.params.companyId,
      {
        templateId: b.templateId,
        customerId: b.customerId,
        businessId: b.businessId,
        staffId: b.staffId ?? null,
        purchaseTime: optTime(b.purchaseTime, 'purchaseTime'),
        startTime: optTime(b.startTime, 'startTime'),
        price: b.price === undefined ? undefined : parseMoney(b.price, 'price'),
        invoice: b.invoice ? { id: b.invoice.id ?? '', no: b.invoice.no ?? '', receiptNo: b.invoice.receiptNo ?? '', status: b.invoice.status ?? '' } : undefined,
      },
      keyOf(req),
    );
    return answer(reply, outcome, presentPackage);
  });

  app.get(`${base}/packages/:packageId`, { schema: { tags, summary: 'Read a package', params: P.package, response: { 200: S.PackageDetailRef } } }, async (req) =>
    presentPackage(await getPackage(deps, req.principal, req.params.companyId, req.params.packageId)),
  );

  app.get(
    `${base}/customers/:customerId/packages`,
    { schema: { tags, summary: "A customer's packages", params: P.customer, querystring: Type.Object({ ...PageQuery, businessId: Type.Optional(Id()) }), response: { 200: S.PackageList } } },
    async (req) => {
      const page = await listCustomerPackages(
        deps,
        req.principal,
        req.params.companyId,
        req.params.customerId,
        req.query.businessId,
        parsePageRequest(req.query.pageSize, req.query.pageToken),
      );
      return { packages: page.items.map(presentPackage), nextPageToken: page.nextPageToken };
    },
  );

  const redeemInput = (b: Static<typeof S.RedeemBody>) => ({
    serviceId: b.serviceId,
    quantity: b.quantity,
    businessId: b.businessId,
    staffId: b.staffId ?? null,
    appointmentId: b.appointmentId ?? null,
    redeemTime: optTime(b.redeemTime, 'redeemTime'),
    hold: b.hold ?? false,
    holdExpireTime: optTime(b.holdExpireTime, 'holdExpireTime'),
  });

  app.post(
    `${base}/packages/:packageId(${ID_RE})::redeem`,
    { schema: { tags, summary: 'Redeem (or with hold, reserve) units of a service', params: P.package, body: S.RedeemBody, headers: IdempotencyHeaders, response: { 200: S.RedemptionResult } } },
    async (req, reply) =>
      answer(reply, await redeem(deps, req.principal, req.params.companyId, req.params.packageId, redeemInput(req.body), keyOf(req)), presentRedemptionResult),
  );

  app.post(
    `${base}/customers/:customerId/packages::redeem`,
    { schema: { tags, summary: "Redeem from the customer's package that expires first (auto-apply)", params: P.customer, body: S.RedeemBody, headers: IdempotencyHeaders, response: { 200: S.RedemptionResult } } },
    async (req, reply) =>
      answer(reply, await autoRedeem(deps, req.principal, req.params.companyId, req.params.customerId, redeemInput(req.body), keyOf(req)), presentRedemptionResult),
  );

  app.get(
    `${base}/customers/:customerId/packages::redeemable`,
    {
      schema: {
        tags,
        summary: 'The packages auto-apply would try, in order',
        params: P.customer,
        querystring: Type.Object({ serviceId: Id(), businessId: Id(), quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })) }),
        response: { 200: S.CandidateList },
      },
    },
    async (req) => {
      const views = await redeemableCandidates(deps, req.principal, req.params.companyId, req.params.customerId, req.query);
      return { packages: views.map(presentPackage) };
    },
  );

  tags = ['Redemptions'];
  const onRedemption = P.redemption;

  app.get(`${base}/redemptions/:redemptionId`, { schema: { tags, summary: 'Read a redemption', params: onRedemption, response: { 200: Ref<S.RedemptionJson>('Redemption') } } }, async (req) =>
    presentRedemption(await getRedemption(deps, req.principal, req.params.companyId, req.params.redemptionId)),
  );

  app.post(`${base}/redemptions/:redemptionId(${ID_RE})::commit`, { schema: { tags, summary: 'Use a held visit', params: onRedemption, headers: IdempotencyHeaders, response: { 200: S.RedemptionResult } } }, async (req, reply) =>
    answer(reply, await commitHold(deps, req.principal, req.params.companyId, req.params.redemptionId, keyOf(req)), presentRedemptionResult),
  );
  app.post(`${base}/redemptions/:redemptionId(${ID_RE})::release`, { schema: { tags, summary: 'Give a held visit back', params: onRedemption, headers: IdempotencyHeaders, response: { 200: S.RedemptionResult } } }, async (req, reply) =>
    answer(reply, await releaseHold(deps, req.principal, req.params.companyId, req.params.redemptionId, keyOf(req)), presentRedemptionResult),
  );
  app.post(
    `${base}/redemptions/:redemptionId(${ID_RE})::reverse`,
    { schema: { tags, summary: 'Give a used visit back (cancelled visit)', params: onRedemption, body: S.ReverseBody, headers: IdempotencyHeaders, response: { 200: S.RedemptionResult } } },
    async (req, reply) =>
      answer(reply, await reverseRedemption(deps, req.principal, req.params.companyId, req.params.redemptionId, req.body.reason ?? '', keyOf(req)), presentRedemptionResult),
  );

  tags = ['Customer packages'];
  const onPackage = P.package;

  app.post(`${base}/packages/:packageId(${ID_RE})::freeze`, { schema: { tags, summary: 'Freeze', params: onPackage, body: S.FreezeBody, headers: IdempotencyHeaders, response: { 200: S.PackageDetailRef } } }, async (req, reply) => {
    const b = req.body;
    const input = { startDate: optDate(b.startDate, 'startDate'), endDate: optDate(b.endDate, 'endDate'), reason: b.reason };
    return answer(reply, await freezePackage(deps, req.principal, req.params.companyId, req.params.packageId, input, keyOf(req)), presentPackage);
  });
  app.post(`${base}/packages/:packageId(${ID_RE})::unfreeze`, { schema: { tags, summary: 'Unfreeze', params: onPackage, headers: IdempotencyHeaders, response: { 200: S.PackageDetailRef } } }, async (req, reply) =>
    answer(reply, await unfreezePackage(deps, req.principal, req.params.companyId, req.params.packageId, keyOf(req)), presentPackage),
  );
  app.post(`${base}/packages/:packageId(${ID_RE})::extend`, { schema: { tags, summary: 'Move the expiration date later (ADMIN)', params: onPackage, body: S.ExtendBody, headers: IdempotencyHeaders, response: { 200: S.PackageDetailRef } } }, async (req, reply) =>
    answer(
      reply,
      await extendPackage(deps, req.principal, req.params.companyId, req.params.packageId, parseLocalDate(req.body.expirationDate, 'expirationDate'), keyOf(req)),
      presentPackage,
    ),
  );
  app.post(`${base}/packages/:packageId(${ID_RE})::adjust`, { schema: { tags, summary: 'Add or remove units (ADMIN)', params: onPackage, body: S.AdjustBody, headers: IdempotencyHeaders, response: { 200: S.PackageDetailRef } } }, async (req, reply) =>
    answer(reply, await adjustPackage(deps, req.principal, req.params.companyId, req.params.packageId, req.body, keyOf(req)), presentPackage),
  );
  app.post(`${base}/packages/:packageId(${ID_RE})::cancel`, { schema: { tags, summary: 'Cancel with a refund (ADMIN)', params: onPackage, body: S.CancelBody, headers: IdempotencyHeaders, response: { 200: S.CancelResult } } }, async (req, reply) => {
    const input = { refund: refundSpec(req.body.refund as string | { amount: unknown }), reason: req.body.reason ?? '' };
    return answer(reply, await cancelPackage(deps, req.principal, req.params.companyId, req.params.packageId, input, keyOf(req)), (r) => ({
      package: presentPackage(r.view),
      refund: toGoogleMoney(r.refund),
    }));
  });

  app.get(
    `${base}/packages/:packageId(${ID_RE})::refundPreview`,
    {
      schema: {
        tags,
        summary: 'The refund :cancel would give now, without cancelling (ADMIN)',
        params: onPackage,
        querystring: Type.Object({
          refund: Type.Optional(Type.String({ maxLength: 10, description: 'NONE | FULL | PRORATED (default PRORATED)' })),
          amount: Type.Optional(Type.String({ maxLength: 40, description: "a decimal amount in the package's currency, e.g. 12.50" })),
        }),
        response: { 200: S.RefundPreview },
      },
    },
    async (req) => {
      const q = req.query;
      if (q.refund !== undefined && q.amount !== undefined) throw invalidArgument('amount', 'give refund or amount, not both');
      const mode = q.refund ?? 'PRORATED';
      if (q.amount === undefined && mode !== 'NONE' && mode !== 'FULL' && mode !== 'PRORATED') throw invalidArgument('refund', 'must be NONE, FULL or PRORATED');
      const query = q.amount !== undefined ? { amount: q.amount } : { mode: mode as 'NONE' | 'FULL' | 'PRORATED' };
      return { refund: toGoogleMoney(await previewRefund(deps, req.principal, req.params.companyId, req.params.packageId, query)) };
    },
  );

  app.get(
    `${base}/packages/:packageId/events`,
    { schema: { tags, summary: 'The append-only history, oldest first', params: onPackage, querystring: Type.Object(PageQuery), response: { 200: S.EventList } } },
    async (req) => {
      const page = await listEvents(deps, req.principal, req.params.companyId, req.params.packageId, parsePageRequest(req.query.pageSize, req.query.pageToken));
      return { events: page.items.map(presentEvent), nextPageToken: page.nextPageToken };
    },
  );

  tags = ['Reports'];

  app.get(
    `${base}/packages::expiring`,
    {
      schema: {
        tags,
        summary: 'Open packages expiring within N days, soonest first',
        params: P.company,
        querystring: Type.Object({ ...PageQuery, withinDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3660 })), businessId: Type.Optional(Id()) }),
        response: { 200: S.PackageList },
      },
    },
    async (req) => {
      const page = await listExpiring(
        deps,
        req.principal,
        req.params.companyId,
        { withinDays: req.query.withinDays ?? 30, businessId: req.query.businessId },
        parsePageRequest(req.query.pageSize, req.query.pageToken),
      );
      return { packages: page.items.map(presentPackage), nextPageToken: page.nextPageToken };
    },
  );

  app.get(
    `${base}/reports/liability`,
    {
      schema: {
        tags,
        summary: 'Outstanding liability by business, from the ledger',
        params: P.company,
        querystring: Type.Object({ asOf: Type.Optional(Type.String()), from: Type.Optional(Type.String()), to: Type.Optional(Type.String()), businessId: Type.Optional(Id()) }),
        response: { 200: S.LiabilityReport },
      },
    },
    async (req) => {
      const q = req.query;
      const report = await liabilityReport(deps, req.principal, req.params.companyId, {
        asOf: optDate(q.asOf, 'asOf'),
        from: optDate(q.from, 'from'),
        to: optDate(q.to, 'to'),
        businessId: q.businessId,
      });
      const asOf = report.to ?? report.businesses[0]?.asOf ?? '';
      return {
        asOf,
        from: report.from ?? '',
        to: asOf,
        businesses: report.businesses.map((l) => ({
          asOf: l.asOf,
          businessId: l.businessId,
          businessName: l.businessName,
          currencyCode: l.currencyCode,
          opening: totalToGoogleMoney(l.opening),
          sold: totalToGoogleMoney(l.sold),
          imported: totalToGoogleMoney(l.imported),
          redeemed: totalToGoogleMoney(l.redeemed),
          refunded: totalToGoogleMoney(l.refunded),
          refundsPaid: totalToGoogleMoney(l.refundsPaid),
          expired: totalToGoogleMoney(l.expired),
          adjusted: totalToGoogleMoney(l.adjusted),
          closing: totalToGoogleMoney(l.closing),
        })),
      };
    },
  );

  app.get(
    `${base}/reports/redemptionsPerDay`,
    { schema: { tags, summary: 'Units redeemed per local day', params: P.company, querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })), businessId: Type.Optional(Id()) }), response: { 200: S.RedemptionsPerDay } } },
    async (req) => ({ days: await redemptionsPerDay(deps, req.principal, req.params.companyId, { days: req.query.days ?? 30, businessId: req.query.businessId }) }),
  );
}
