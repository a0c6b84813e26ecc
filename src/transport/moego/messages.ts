// Packages as the generated moego.business.package.v1 messages. The field meanings come from the same
// package-json mapping the HTTP surface serves, so both surfaces say the same thing.
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { Money } from '../../domain/money.js';
import { toGoogleMoney } from '../../domain/money.js';
import type { PackageView } from '../../application/package-tx.js';
import type { Page } from '../../application/paging.js';
import { MoneySchema } from '../../gen/google/type/money_pb.js';
import type { PackageDetail, Package as PackageMessage } from '../../gen/moego/business/package/v1/package_pb.js';
import { PackageDetailSchema, PackageSchema, Package_Status } from '../../gen/moego/business/package/v1/package_pb.js';
import type { ListPackageDetailsResponse, ListPackagesResponse } from '../../gen/moego/business/package/v1/package_service_pb.js';
import { ListPackageDetailsResponseSchema, ListPackagesResponseSchema } from '../../gen/moego/business/package/v1/package_service_pb.js';
import { packageInfoJson, packageServiceJson } from '../shared/package-json.js';

function moneyMessage(m: Money): MessageInitShape<typeof MoneySchema> {
  const g = toGoogleMoney(m);
  return { currencyCode: g.currencyCode, units: BigInt(g.units), nanos: g.nanos };
}

const timestamp = (ms: number | null) => (ms === null ? undefined : timestampFromMs(ms));

/** MoeGo's Package message; the published-only fields carry the sale's invoice reference where there is one. */
export function packageMessage(view: PackageView): PackageMessage {
  const p = view.pkg;
  const json = packageInfoJson(view);
  return create(PackageSchema, {
    id: json.id,
    cartPackageId: '',
    customerId: json.customerId,
    staffId: json.staffId,
    retailInvoiceItemId: p.invoice?.id ?? '',
    confirmationId: p.invoice?.receiptNo ?? '',
    packageName: json.packageName,
    packageDesc: json.packageDesc,
    packagePrice: moneyMessage(p.paid),
    purchaseTime: timestamp(p.purchaseTime),
    startTime: timestamp(p.startTime),
    endTime: timestamp(p.endTime),
    createTime: timestamp(p.createTime),
    updateTime: timestamp(p.updateTime),
    status: Package_Status.NORMAL,
    used: json.used,
    totalRemainingQuantity: json.totalRemainingQuantity,
    applied: json.applied,
    businessId: json.businessId,
    expirationDate: json.expirationDate,
  });
}

/** MoeGo's PackageDetail message: the package and its service items. */
export function packageDetailMessage(view: PackageView): PackageDetail {
  const p = view.pkg;
  return create(PackageDetailSchema, {
    packageInfo: packageMessage(view),
    packageServices: p.items
      .filter((i) => i.kind === 'SERVICE')
      .map((i) => {
        const json = packageServiceJson(p.id, i);
        return {
          id: json.id,
          packageId: json.packageId,
          services: i.choices.map((c) => ({ serviceId: c.id, unitPrice: moneyMessage(i.unitPrice), name: c.name })),
          totalQuantity: json.totalQuantity,
          remainingQuantity: json.remainingQuantity,
        };
      }),
  });
}

/** A page of packages as ListPackagesResponse. */
export const listPackagesResponse = (page: Page<PackageView>): ListPackagesResponse =>
  create(ListPackagesResponseSchema, { packages: page.items.map(packageMessage), nextPageToken: page.nextPageToken });

/** A page of package details as ListPackageDetailsResponse. */
export const listPackageDetailsResponse = (page: Page<PackageView>): ListPackageDetailsResponse =>
  create(ListPackageDetailsResponseSchema, { packageDetails: page.items.map(packageDetailMessage), nextPageToken: page.nextPageToken });
