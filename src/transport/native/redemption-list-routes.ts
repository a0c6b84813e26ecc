// The company's redemptions as one list (the front desk's "Today": pending holds at this business), on the native
// surface. The handler parses, calls listRedemptions and presents each row as the redemption routes do.
import { Type, type Static } from 'typebox';
import type { Deps } from '../../application/context.js';
import { parsePageRequest } from '../../application/paging.js';
import { REDEMPTION_ORDERS, listRedemptions, type ListedRedemption } from '../../application/redemption-queries.js';
import { REDEMPTION_STATUSES } from '../../domain/ledger.js';
import { Id, PageQuery, errorResponses } from '../http/schemas.js';
import type { HttpApp } from '../http/types.js';
import { presentRedemption } from './package-presenters.js';
import { Redemption } from './package-schemas.js';

/** A redemption as the redemption routes answer it (the shared component's fields), with the names a list shows. */
export const ListedRedemptionAnswer = Type.Object({
  ...Redemption.properties,
  customerId: Type.String(),
  customerName: Type.String({ description: 'first and last name' }),
  packageName: Type.String(),
  serviceName: Type.String({ description: "the service's name as the package recorded it at sale" }),
});

export const RedemptionListAnswer = Type.Object({
  redemptions: Type.Array(ListedRedemptionAnswer),
  nextPageToken: Type.String({ description: "'' on the last page" }),
});

const Query = Type.Object({
  status: Type.Optional(
    Type.Array(Type.String({ maxLength: 100 }), {
      maxItems: 5,
      description: `${REDEMPTION_STATUSES.join(' | ')}; repeated or comma-separated; default all. A hold past its expiry is EXPIRED`,
    }),
  ),
  businessId: Type.Optional(Id('where it happened; a key limited to businesses sees only its own')),
  from: Type.Optional(Type.String({ maxLength: 40, description: "redeemTime from (inclusive): RFC 3339, or yyyy-MM-dd (the business's day with businessId, else UTC)" })),
  to: Type.Optional(Type.String({ maxLength: 40, description: 'redeemTime before (exclusive), as from' })),
  orderBy: Type.Optional(
    Type.String({ maxLength: 20, description: `${REDEMPTION_ORDERS.join(' | ')}; default holdExpireTime (soonest first) for status=PENDING alone, else -redeemTime (newest first)` }),
  ),
  ...PageQuery,
});

const present = (row: ListedRedemption): Static<typeof ListedRedemptionAnswer> => ({
  ...presentRedemption(row.redemption),
  customerId: row.customerId,
  customerName: row.customerName,
  packageName: row.packageName,
  serviceName: row.serviceName,
});

export function registerRedemptionListRoutes(app: HttpApp, deps: Deps): void {
  app.get(
    '/v1/companies/:companyId/redemptions',
    {
      schema: {
        tags: ['Customer packages'],
        summary: "The company's redemptions (visits and holds) by status, business and time, with names (read)",
        params: Type.Object({ companyId: Id('the company') }),
        querystring: Query,
        response: { 200: RedemptionListAnswer, ...errorResponses([400, 401, 403, 404, 429, 500, 503]) },
      },
    },
    async (req) => {
      const { pageSize, pageToken, ...search } = req.query;
      const page = await listRedemptions(deps, req.principal, req.params.companyId, search, parsePageRequest(pageSize, pageToken));
      return { redemptions: page.items.map(present), nextPageToken: page.nextPageToken };
    },
  );
}
