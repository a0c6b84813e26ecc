// Request schemas of the package lifecycle routes (they validate and generate /openapi.json).
import { Type, type Static } from 'typebox';
import { EVENT_TYPES, REDEMPTION_STATUSES } from '../../domain/ledger.js';
import { LIFECYCLES } from '../../domain/package.js';
import { ACTIVATIONS, PACKAGE_TYPES } from '../../domain/template.js';
import { Description, Enum, Id, IdList, MoneyInput, MoneyRef, Name, NullableTime, Ref } from '../http/schemas.js';

const Time = Type.String({ maxLength: 40, description: 'RFC 3339, e.g. 2023-01-15T10:00:00Z' });
const Date = Type.String({ maxLength: 10, description: 'yyyy-MM-dd' });
const Quantity = Type.Integer({ minimum: 1, maximum: 10000 });

const TemplateItem = Type.Object({
  serviceIds: Type.Array(Id(), { minItems: 1, maxItems: 50 }),
  quantity: Quantity,
  unitPrice: Type.Optional(Type.Union([MoneyInput, Type.Null()])),
});
const TemplateProduct = Type.Object({
  productId: Id(),
  quantity: Quantity,
  unitPrice: Type.Optional(Type.Union([MoneyInput, Type.Null()])),
});
const Validity = Type.Object({
  days: Type.Optional(Type.Integer()),
  months: Type.Optional(Type.Integer()),
  never: Type.Optional(Type.Boolean()),
});

const templateFields = {
  name: Name,
  description: Type.Optional(Description),
  type: Type.Optional(Type.String({ maxLength: 20, description: 'REGULAR | CUSTOM | OFFER | CUSTOM_OFFER' })),
  price: MoneyInput,
  items: Type.Optional(Type.Array(TemplateItem, { maxItems: 100 })),
  productItems: Type.Optional(Type.Array(TemplateProduct, { maxItems: 100 })),
  validity: Validity,
  gracePeriodDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })),
  activation: Type.Optional(Type.String({ maxLength: 30, description: 'ON_PURCHASE | ON_FIRST_REDEMPTION' })),
  restrictRedemptionToSellingBusiness: Type.Optional(Type.Boolean()),
  businessIds: Type.Optional(IdList),
};

export const CreateTemplateBody = Type.Object({ id: Type.Optional(Id()), ...templateFields });
export const PatchTemplateBody = Type.Partial(Type.Object(templateFields));

export const SellBody = Type.Object({
  templateId: Id(),
  customerId: Id(),
  businessId: Id(),
  staffId: Type.Optional(Type.Union([Id(), Type.Null()])),
  purchaseTime: Type.Optional(Time),
  startTime: Type.Optional(Time),
  price: Type.Optional(MoneyInput),
  invoice: Type.Optional(
    Type.Object({
      id: Type.Optional(Type.String({ maxLength: 64 })),
      no: Type.Optional(Type.String({ maxLength: 64 })),
      receiptNo: Type.Optional(Type.String({ maxLength: 64 })),
      status: Type.Optional(Type.String({ maxLength: 32 })),
    }),
  ),
});

export const RedeemBody = Type.Object({
  serviceId: Id(),
  quantity: Quantity,
  businessId: Id(),
  staffId: Type.Optional(Type.Union([Id(), Type.Null()])),
  appointmentId: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
  redeemTime: Type.Optional(Time),
  hold: Type.Optional(Type.Boolean()),
  holdExpireTime: Type.Optional(Time),
});

export const ReverseBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 2000 })) });

export const FreezeBody = Type.Object({
  startDate: Type.Optional(Date),
  endDate: Type.Optional(Date),
  reason: Type.Optional(Type.String({ maxLength: 2000 })),
});

export const ExtendBody = Type.Object({ expirationDate: Date });

export const AdjustBody = Type.Object({
  packageServiceId: Id(),
  delta: Type.Integer({ minimum: -10000, maximum: 10000 }),
  reason: Type.String({ maxLength: 2000 }),
});

export const CancelBody = Type.Object({
  refund: Type.Union([
    Type.String({ maxLength: 10, description: 'NONE | FULL | PRORATED' }),
    Type.Object({ amount: MoneyInput }),
  ]),
  reason: Type.Optional(Type.String({ maxLength: 2000 })),
});

// ---- Answers: registered once as named components (NATIVE_SCHEMAS) and used by `$ref`; the presenters are typed
// from them, so an answer that drifts from its schema fails tsc. ----

// A type list, not anyOf: fast-json-stringify serialises it directly instead of validating every value.
const OutTime = Type.String({ description: 'RFC 3339, UTC' });
const OutDate = Type.String({ description: 'yyyy-MM-dd in the business time zone' });

export const ValidityOut = Type.Object(
  { days: Type.Optional(Type.Integer()), months: Type.Optional(Type.Integer()), never: Type.Optional(Type.Boolean()) },
  { description: 'one of {"days":N}, {"months":N}, {"never":true}' },
);

export const Redemption = Type.Object(
  {
    id: Type.String(),
    packageId: Type.String(),
    packageServiceId: Type.String(),
    serviceId: Type.String(),
    quantity: Type.Integer(),
    businessId: Type.String(),
    staffId: Type.String({ description: '"" when none' }),
    appointmentId: Type.String({ description: '"" when none' }),
    status: Enum(REDEMPTION_STATUSES),
    redeemTime: OutTime,
    holdExpireTime: NullableTime(),
    value: MoneyRef,
    createTime: OutTime,
    updateTime: OutTime,
  },
  { $id: 'Redemption' },
);
export type RedemptionJson = Static<typeof Redemption>;
const RedemptionRef = Ref<RedemptionJson>('Redemption');

const ItemFigures = {
  totalQuantity: Type.Integer(),
  remainingQuantity: Type.Integer({ description: 'total − committed − held' }),
  usedQuantity: Type.Integer(),
  heldQuantity: Type.Integer(),
  value: MoneyRef,
  remainingValue: MoneyRef,
};

const FreezeOut = Type.Object({ startDate: OutDate, endDate: Type.String({ description: '"" for an open freeze' }), reason: Type.String() });

export const PackageDetail = Type.Object(
  {
    packageInfo: Type.Object({
      id: Type.String(),
      customerId: Type.String(),
      businessId: Type.String(),
      staffId: Type.String(),
      packageName: Type.String(),
      packageDesc: Type.String(),
      packagePrice: MoneyRef,
      purchaseTime: OutTime,
      startTime: NullableTime(),
      endTime: NullableTime(),
      createTime: OutTime,
      lastUpdateTime: OutTime,
      expirationDate: Type.String({ description: 'yyyy-MM-dd in the business time zone; 9999-01-01 = never expires' }),
      status: Enum(['STATUS_NORMAL'], { description: 'the record status (MoeGo), not the lifecycle' }),
      used: Type.Boolean(),
      applied: Type.Boolean(),
      totalRemainingQuantity: Type.Integer(),
      lifecycle: Enum(LIFECYCLES),
    }),
    packageServices: Type.Array(
      Type.Object({
        id: Type.String(),
        packageId: Type.String(),
        services: Type.Array(Type.Object({ serviceId: Type.String(), unitPrice: MoneyRef, name: Type.String() })),
        ...ItemFigures,
      }),
    ),
    packageProducts: Type.Array(
      Type.Object({
        id: Type.String(),
        packageId: Type.String(),
        products: Type.Array(Type.Object({ productId: Type.String(), unitPrice: MoneyRef, name: Type.String() })),
        ...ItemFigures,
      }),
    ),
    lifecycle: Enum(LIFECYCLES, { description: 'at asOfTime' }),
    imported: Type.Boolean({ description: 'brought from another system by an import' }),
    sourceId: Type.String({ description: "the id in the old system, or the package's own id" }),
    redeemable: Type.Boolean(),
    notRedeemableReason: Type.String({ description: 'an ErrorInfo.reason, or ""' }),
    notRedeemableMessage: Type.String(),
    templateId: Type.String(),
    type: Enum(PACKAGE_TYPES),
    timeZone: Type.String(),
    activation: Enum(ACTIVATIONS),
    validity: ValidityOut,
    gracePeriodDays: Type.Integer(),
    graceEndTime: NullableTime(),
    restrictRedemptionToSellingBusiness: Type.Boolean(),
    listPrice: MoneyRef,
    paidAmount: MoneyRef,
    remainingValue: MoneyRef,
    holds: Type.Array(RedemptionRef),
    freeze: Type.Union([FreezeOut, Type.Null()]),
    freezes: Type.Array(FreezeOut),
    invoice: Type.Union([Type.Object({ id: Type.String(), no: Type.String(), receiptNo: Type.String(), status: Type.String() }), Type.Null()]),
    cancelTime: NullableTime(),
    refund: Type.Union([MoneyRef, Type.Null()]),
    asOfTime: OutTime,
  },
  { $id: 'PackageDetail', description: "MoeGo's PackageDetail with the native additions" },
);
export type PackageDetailJson = Static<typeof PackageDetail>;
export const PackageDetailRef = Ref<PackageDetailJson>('PackageDetail');

export const PackageEvent = Type.Object(
  {
    id: Type.String(),
    sequence: Type.Integer({ description: '1, 2, 3… per package, without gaps' }),
    type: Enum(EVENT_TYPES),
    time: OutTime,
    recordTime: OutTime,
    actor: Type.String({ description: 'the key id, or "system"' }),
    actorName: Type.String(),
    staffId: Type.String(),
    businessId: Type.String(),
    redemptionId: Type.String(),
    packageServiceId: Type.String(),
    quantity: Type.Integer(),
    totalRemainingQuantityAfter: Type.Integer(),
    valueChange: MoneyRef,
    breakageChange: MoneyRef,
    refund: MoneyRef,
    details: Type.Object({}, { additionalProperties: true, description: "the event type's own details" }),
  },
  { $id: 'PackageEvent' },
);
export type PackageEventJson = Static<typeof PackageEvent>;

const TemplateItemFigures = { quantity: Type.Integer(), unitPrice: MoneyRef, unitPriceGiven: Type.Boolean(), value: MoneyRef };

export const PackageTemplate = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.String(),
    type: Enum(PACKAGE_TYPES),
    price: MoneyRef,
    items: Type.Array(Type.Object({ serviceIds: Type.Array(Type.String()), ...TemplateItemFigures })),
    productItems: Type.Array(Type.Object({ productId: Type.String(), ...TemplateItemFigures })),
    validity: ValidityOut,
    gracePeriodDays: Type.Integer(),
    activation: Enum(ACTIVATIONS),
    restrictRedemptionToSellingBusiness: Type.Boolean(),
    businessIds: Type.Array(Type.String()),
    archived: Type.Boolean(),
    archiveTime: NullableTime(),
    createTime: OutTime,
    updateTime: OutTime,
  },
  { $id: 'PackageTemplate' },
);
export type PackageTemplateJson = Static<typeof PackageTemplate>;

const NextPageToken = Type.String({ description: '"" on the last page' });
export const TemplateList = Type.Object({ packageTemplates: Type.Array(Ref<PackageTemplateJson>('PackageTemplate')), nextPageToken: NextPageToken });
export const PackageList = Type.Object({ packages: Type.Array(PackageDetailRef), nextPageToken: NextPageToken });
export const CandidateList = Type.Object({ packages: Type.Array(PackageDetailRef) });
export const RedemptionResult = Type.Object({ redemption: RedemptionRef, package: PackageDetailRef });
export type RedemptionResultJson = Static<typeof RedemptionResult>;
export const CancelResult = Type.Object({ package: PackageDetailRef, refund: MoneyRef });
export const RefundPreview = Type.Object({ refund: MoneyRef });
export const EventList = Type.Object({ events: Type.Array(Ref<PackageEventJson>('PackageEvent')), nextPageToken: NextPageToken });

const LiabilityLine = Type.Object({
  asOf: OutDate,
  businessId: Type.String(),
  businessName: Type.String(),
  currencyCode: Type.String(),
  opening: MoneyRef,
  sold: MoneyRef,
  imported: MoneyRef,
  redeemed: MoneyRef,
  refunded: MoneyRef,
  refundsPaid: MoneyRef,
  expired: MoneyRef,
  adjusted: MoneyRef,
  closing: MoneyRef,
});
export const LiabilityReport = Type.Object(
  { asOf: Type.String(), from: Type.String({ description: '"" for since the first record' }), to: Type.String(), businesses: Type.Array(LiabilityLine) },
  { description: 'closing = opening + sold + imported − redeemed − refunded − expired + adjusted' },
);
export const RedemptionsPerDay = Type.Object({ days: Type.Array(Type.Object({ date: OutDate, units: Type.Integer() })) });

export const NATIVE_PACKAGE_SCHEMAS = [Redemption, PackageDetail, PackageEvent, PackageTemplate];
