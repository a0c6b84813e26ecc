// Zenoti's guest packages answer as a schema: it documents /openapi.json, serialises the answer and types
// guestPackageJson, so an entry that drifts from it fails tsc. Decimals are JSON numbers; times the center's
// local midnight without offset.
import { Type, type Static } from 'typebox';

const LocalMidnight = Type.String({ description: "the center's local date at midnight, e.g. 2023-01-15T00:00:00" });
const Decimal = Type.Number();
const Price = Type.Object({ currency_id: Type.Integer(), sales: Decimal, tax: Decimal, final: Decimal });
const quantities = {
  total: Type.Integer(),
  used: Type.Integer(),
  balance: Type.Integer({ description: 'what can still be redeemed (held units excluded)' }),
  balance_amount: Type.Number({ description: "the item's remainingValue" }),
  price: Price,
};

export const ZenotiGuestPackage = Type.Object(
  {
    user_package_id: Type.String(),
    user_package_state: Type.Integer({ description: '0 closed, 1 open, 2 with processing (a hold is pending)' }),
    redeemable: Type.Boolean(),
    invoice: Type.Object({ status: Type.Integer(), receipt_no: Type.String(), id: Type.String(), no: Type.String() }),
    status: Type.Integer({ description: '1 active, 3 frozen, 5 expired, 6 cancelled, 7 not started' }),
    package: Type.Object({ type: Type.Integer({ description: '0 regular, 1 custom, 2 offer, 3 custom offer' }), id: Type.String(), name: Type.String() }),
    date: Type.Object({ start: LocalMidnight, end: LocalMidnight, end_date_with_grace: LocalMidnight }),
    products: Type.Array(
      Type.Object({
        product_type_info: Type.Object({ product_category_type: Type.Integer(), name: Type.String(), id: Type.String() }),
        exists_in_current_center: Type.Boolean(),
        ...quantities,
      }),
    ),
    services: Type.Array(
      Type.Object({
        service_type_info: Type.Object({
          service_category_type: Type.Integer(),
          id: Type.String(),
          name: Type.String(),
          duration: Type.Integer(),
          has_segments: Type.Boolean(),
        }),
        exists_in_current_center: Type.Boolean(),
        ...quantities,
        package_service_price: Decimal,
        sale_as_part_of_package_or_membership_only: Type.Boolean(),
        book_with_partial_balance: Type.Integer(),
      }),
    ),
    redemption_setting_details: Type.Object({
      total_payment: Decimal,
      intial_recognized_revenue: Decimal,
      service_frequency_factor: Decimal,
      closed: Type.Boolean(),
      allowed_redeemable_amount_for_partial_payment: Decimal,
      is_frozen: Type.Boolean(),
      has_products: Type.Boolean(),
      partial_payment_without_initially_recognized_amount: Decimal,
      restrict_redemption_in_this_center: Type.Boolean(),
      center_name: Type.String(),
    }),
    never_expires: Type.Boolean(),
    start_validity_at_first_redemption: Type.Boolean(),
    expiration_days: Type.Integer(),
    purchase_price: Decimal,
  },
  { $id: 'ZenotiGuestPackage' },
);
export type ZenotiGuestPackageJson = Static<typeof ZenotiGuestPackage>;

export const GuestPackagesAnswer = Type.Object({
  packages: Type.Array(Type.Unsafe<ZenotiGuestPackageJson>({ $ref: 'ZenotiGuestPackage#' })),
  page_info: Type.Object({ total: Type.Integer(), page: Type.Integer(), size: Type.Integer() }),
  error: Type.Null(),
});

export const ZENOTI_SCHEMAS = [ZenotiGuestPackage];
