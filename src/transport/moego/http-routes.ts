// MoeGo's package API over HTTP/JSON, at the paths of its google.api.http rules. Errors leave as
// google.rpc.Status through the shared error handler.
import type { Deps } from '../../application/context.js';
import type { HttpApp } from '../http/types.js';
import { packageDetailJson, packageInfoJson } from '../shared/package-json.js';
import { sendRendered, serialized } from '../http/rendered.js';
import { answerListPackageDetails, answerListPackages } from './list-queries.js';
import { listPackageDetailsQueryFromJson, listPackagesQueryFromJson } from './list-requests.js';
import { ListPackageDetailsBody, ListPackageDetailsResponse, ListPackagesBody, ListPackagesResponse } from './schemas.js';

/** POST /v1/packages:list and POST /v1/packages/details:list. */
export function registerMoegoRoutes(app: HttpApp, deps: Deps): void {
  // "::" is Fastify's escape for a literal colon in a path.
  app.post(
    '/v1/packages::list',
    {
      config: { surface: 'moego' },
      schema: {
        tags: ['MoeGo'],
        summary: 'ListPackages (moego.business.package.v1.PackageService)',
        body: ListPackagesBody,
        response: { 200: ListPackagesResponse },
      },
    },
    async (request, reply) => {
      const answer = await answerListPackages(deps, request.principal, listPackagesQueryFromJson(request.body), (page) =>
        serialized(reply, { packages: page.items.map(packageInfoJson), nextPageToken: page.nextPageToken }),
      );
      return sendRendered(reply, answer);
    },
  );

  app.post(
    '/v1/packages/details::list',
    {
      config: { surface: 'moego' },
      schema: {
        tags: ['MoeGo'],
        summary: 'ListPackageDetails (moego.business.package.v1.PackageService)',
        body: ListPackageDetailsBody,
        response: { 200: ListPackageDetailsResponse },
      },
    },
    async (request, reply) => {
      const answer = await answerListPackageDetails(deps, request.principal, listPackageDetailsQueryFromJson(request.body), (page) =>
        serialized(reply, { packageDetails: page.items.map(packageDetailJson), nextPageToken: page.nextPageToken }),
      );
      return sendRendered(reply, answer);
    },
  );
}
