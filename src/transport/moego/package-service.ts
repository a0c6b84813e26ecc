// moego.business.package.v1.PackageService over gRPC and Connect: each method reads its request into the
// same query the HTTP route uses, calls the same application query and maps the page to the generated
// messages. The key comes from the `authorization` metadata, in any of the three forms.
import type { ConnectRouter, HandlerContext } from '@connectrpc/connect';
import type { Principal } from '../../domain/access.js';
import type { Deps } from '../../application/context.js';
import { admit } from '../../application/admission.js';
import { setRateLimitHeaders } from '../rate-limit-headers.js';
import { PackageService } from '../../gen/moego/business/package/v1/package_service_pb.js';
import { keyFromAuthorization } from '../http/auth.js';
import { toConnectError } from '../grpc/connect-errors.js';
import { requestContextOf } from '../grpc/request-context.js';
import { listPackageDetailsPage, listPackagesPage } from './list-queries.js';
import { listPackageDetailsQueryFromMessage, listPackagesQueryFromMessage } from './list-requests.js';
import { listPackageDetailsResponse, listPackagesResponse } from './messages.js';

async function call<T>(deps: Deps, ctx: HandlerContext, run: (principal: Principal) => Promise<T>): Promise<T> {
  const { requestId, log, address } = requestContextOf(ctx.values);
  ctx.responseHeader.set('x-request-id', requestId);
  try {
    const admission = await admit(deps, keyFromAuthorization(ctx.requestHeader.get('authorization') ?? undefined), address);
    if (admission.reading) setRateLimitHeaders(admission.reading, (name, value) => ctx.responseHeader.set(name, value));
    if (admission.refusal) throw admission.refusal;
    return await run(admission.principal);
  } catch (error) {
    throw toConnectError(error, {
      requestId,
      classify: (e) => deps.store.classify(e),
      logError: (err) => log?.error({ err, requestId, rpc: ctx.method.name }, 'rpc failed'),
    });
  }
}

/** The Connect routes of MoeGo's PackageService, for fastifyConnectPlugin. */
export function packageServiceRoutes(deps: Deps): (router: ConnectRouter) => void {
  return (router) => {
    router.service(PackageService, {
      listPackages: (req, ctx) =>
        call(deps, ctx, async (p) => listPackagesResponse(await listPackagesPage(deps, p, listPackagesQueryFromMessage(req)))),
      listPackageDetails: (req, ctx) =>
        call(deps, ctx, async (p) => listPackageDetailsResponse(await listPackageDetailsPage(deps, p, listPackageDetailsQueryFromMessage(req)))),
    });
  };
}
