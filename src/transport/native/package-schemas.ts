// Request schemas of the package lifecycle routes (they validate and generate /openapi.json).
import { Type } from 'typebox';
import { Description, Id, IdList, MoneyInput, Name } from '../http/schemas.js';

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
