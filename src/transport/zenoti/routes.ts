// Zenoti's guest packages API: GET /v1/guests/{guest_id}/Packages (and /packages). Route config
// `surface: 'zenoti'` makes the shared error handler answer in Zenoti's envelope.
import { Type } from 'typebox';
import type { Deps } from '../../application/context.js';
import type { HttpApp } from '../http/types.js';
import { sendRendered, serialized } from '../http/rendered.js';
import { answerGuestPackages } from './guest-packages.js';
import { guestPackagesQuery } from './guest-packages-request.js';
import { GuestPackagesAnswer } from './schemas.js';

const Query = Type.Object(
  {
    center_id: Type.Optional(Type.String({ description: 'the center (business) asked about; required' })),
    show_redeemable: Type.Optional(Type.String({ description: 'true: only packages redeemable at the center now' })),
    page_num: Type.Optional(Type.String({ description: 'from 1 (default 1)' })),
    page_size: Type.Optional(Type.String({ description: '1–100 (default 10); over 100 is refused with 422' })),
    status: Type.Optional(Type.String({ description: 'a status code to keep (1, 3, 5, 6, 7); -1 = all' })),
    expand: Type.Optional(Type.Unknown({ description: 'accepted and ignored' })),
  },
  { additionalProperties: true },
);

const Params = Type.Object({ guest_id: Type.String({ description: 'the guest (customer) id' }) });

/** GET /v1/guests/:guest_id/Packages and /packages. */
export function registerZenotiRoutes(app: HttpApp, deps: Deps): void {
  for (const segment of ['Packages', 'packages']) {
    app.get(
      `/v1/guests/:guest_id/${segment}`,
      {
        config: { surface: 'zenoti' },
        schema: {
          tags: ['Zenoti'],
          summary: "A guest's packages, as Zenoti lists them (the key's company)",
          params: Params,
          querystring: Query,
          hide: segment === 'Packages' ? false : true,
          response: { 200: GuestPackagesAnswer },
        },
      },
      async (request, reply) => {
        const query = guestPackagesQuery(request.params.guest_id, request.query as Record<string, unknown>);
        const answer = await answerGuestPackages(deps, request.principal, query, (page) =>
          serialized(reply, { packages: page.packages, page_info: { total: page.total, page: query.pageNum, size: query.pageSize }, error: null }),
        );
        return sendRendered(reply, answer);
      },
    );
  }
}
