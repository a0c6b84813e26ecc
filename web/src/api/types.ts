// The native API's JSON, as src/transport/native/*presenters.ts write it (see shared API.md).

export interface Money {
  currencyCode: string;
  /** A number in answers; a number or a decimal string in requests. */
  units: number | string;
  nanos?: number;
}

export type Role = 'ADMIN' | 'STAFF' | 'VIEWER' | 'MASTER';

export interface Me {
  companyId: string;
  keyId: string;
  role: Role;
  businessIds: string[];
}

export interface Page {
  nextPageToken: string;
}

export interface Business {
  id: string;
  companyId: string;
  name: string;
  timeZone: string;
  currencyCode: string;
}

export interface Customer {
  id: string;
  companyId: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
}

export interface Staff {
  id: string;
  companyId: string;
  firstName: string;
  lastName: string;
}

export interface Service {
  id: string;
  name: string;
  durationMinutes: number;
  price: Money;
  businessIds: string[];
}

export interface Product {
  id: string;
  name: string;
  price: Money;
  businessIds: string[];
}

export type Validity = { days: number } | { months: number } | { never: true };
export type TemplateType = 'REGULAR' | 'CUSTOM' | 'OFFER' | 'CUSTOM_OFFER';
export type Activation = 'ON_PURCHASE' | 'ON_FIRST_REDEMPTION';

export interface TemplateItem {
  serviceIds: string[];
  quantity: number;
  unitPrice: Money;
  unitPriceGiven: boolean;
  value: Money;
}

export interface TemplateProductItem {
  productId: string;
  quantity: number;
  unitPrice: Money;
  unitPriceGiven: boolean;
  value: Money;
}

export interface PackageTemplate {
  id: string;
  name: string;
  description: string;
  type: TemplateType;
  price: Money;
  items: TemplateItem[];
  productItems: TemplateProductItem[];
  validity: Validity;
  gracePeriodDays: number;
  activation: Activation;
  restrictRedemptionToSellingBusiness: boolean;
  businessIds: string[];
  archived: boolean;
  archiveTime: string | null;
}

export interface TemplateInput {
  id?: string;
  name: string;
  description?: string;
  type?: TemplateType;
  price: Money;
  items?: { serviceIds: string[]; quantity: number; unitPrice?: Money | null }[];
  productItems?: { productId: string; quantity: number; unitPrice?: Money | null }[];
  validity: Validity;
  gracePeriodDays?: number;
  activation?: Activation;
  restrictRedemptionToSellingBusiness?: boolean;
  businessIds?: string[];
}

export type Lifecycle = 'NOT_STARTED' | 'ACTIVE' | 'FROZEN' | 'EXPIRED' | 'CANCELLED' | 'FULLY_REDEEMED';

export interface PackageInfo {
  id: string;
  customerId: string;
  businessId: string;
  staffId: string;
  packageName: string;
  packageDesc: string;
  packagePrice: Money;
  purchaseTime: string;
  startTime: string | null;
  endTime: string | null;
  createTime: string;
  lastUpdateTime: string;
  /** yyyy-MM-dd in the business's time zone; 9999-01-01 means never. */
  expirationDate: string;
  status: string;
  used: boolean;
  applied: boolean;
  totalRemainingQuantity: number;
  lifecycle: Lifecycle;
}

export interface PackageService {
  id: string;
  packageId: string;
  services: { serviceId: string; unitPrice: Money; name: string }[];
  totalQuantity: number;
  remainingQuantity: number;
  usedQuantity: number;
  heldQuantity: number;
  value: Money;
  remainingValue: Money;
}

export interface PackageProduct {
  id: string;
  packageId: string;
  products: { productId: string; unitPrice: Money; name: string }[];
  totalQuantity: number;
  remainingQuantity: number;
  usedQuantity: number;
  heldQuantity: number;
  value: Money;
}

export type RedemptionStatus = 'PENDING' | 'COMMITTED' | 'RELEASED' | 'REVERSED' | 'EXPIRED' | string;

export interface Redemption {
  id: string;
  packageId: string;
  packageServiceId: string;
  serviceId: string;
  quantity: number;
  businessId: string;
  staffId: string;
  appointmentId: string;
  status: RedemptionStatus;
  redeemTime: string;
  holdExpireTime: string | null;
  value: Money;
  createTime: string;
  updateTime: string;
}

export interface PackageDetail {
  packageInfo: PackageInfo;
  packageServices: PackageService[];
  packageProducts: PackageProduct[];
  lifecycle: Lifecycle;
  redeemable: boolean;
  notRedeemableReason: string;
  notRedeemableMessage: string;
  templateId: string;
  type: TemplateType;
  timeZone: string;
  activation: Activation;
  validity: Validity;
  gracePeriodDays: number;
  graceEndTime: string | null;
  restrictRedemptionToSellingBusiness: boolean;
  listPrice: Money;
  paidAmount: Money;
  remainingValue: Money;
  holds: Redemption[];
  freeze: { startDate: string; endDate: string; reason: string } | null;
  invoice: { id: string; no: string; receiptNo: string; status: string } | null;
  cancelTime: string | null;
  refund: Money | null;
  asOfTime: string;
}

export interface RedemptionResult {
  redemption: Redemption;
  package: PackageDetail;
}

export type EventType =
  | 'SOLD'
  | 'IMPORTED'
  | 'REDEEMED'
  | 'HELD'
  | 'COMMITTED'
  | 'RELEASED'
  | 'HOLD_EXPIRED'
  | 'REVERSED'
  | 'FROZEN'
  | 'UNFROZEN'
  | 'EXTENDED'
  | 'ADJUSTED'
  | 'CANCELLED'
  | 'EXPIRED';

export interface PackageEvent {
  id: string;
  sequence: number;
  type: EventType;
  time: string;
  recordTime: string;
  /** The key's id, "master" or "system". */
  actor: string;
  /** Who did it, for people to read: the staff member's or the key's name. */
  actorName: string;
  staffId: string;
  businessId: string;
  redemptionId: string;
  packageServiceId: string;
  quantity: number;
  totalRemainingQuantityAfter: number;
  valueChange: Money;
  refund: Money;
  details: Record<string, unknown> | null;
}

export type RefundSpec = 'NONE' | 'FULL' | 'PRORATED' | { amount: Money };

export interface LiabilityLine {
  businessId: string;
  businessName: string;
  currencyCode: string;
  opening: Money;
  sold: Money;
  imported: Money;
  redeemed: Money;
  refunded: Money;
  refundsPaid: Money;
  expired: Money;
  adjusted: Money;
  closing: Money;
}

export interface LiabilityReport {
  asOf: string;
  from: string;
  to: string;
  businesses: LiabilityLine[];
}

export interface RedemptionsPerDay {
  days: { date: string; units: number }[];
}

/** google.rpc.Status as every native error answers. */
export interface RpcStatus {
  code: number;
  message: string;
  details?: { '@type': string; reason?: string; metadata?: Record<string, string>; fieldViolations?: { field: string; description: string }[] }[];
}

/** What POST …/packages:import answers: what was done, or on a dry run what would be. */
export interface ImportSummary {
  dryRun: boolean;
  /** Packages in the file (rows with the same source_id are one package; cancelled rows of an export are skipped). */
  packages: number;
  /** Items (rows) of those packages. */
  items: number;
  /** Packages the import creates. */
  created: number;
  /** Packages imported before with the same values, left as they are. */
  unchanged: number;
  /** Customers created on the way. */
  customersCreated: number;
}

/** A file the API answered, ready to save. */
export interface Download {
  blob: Blob;
  /** The name the server suggests (Content-Disposition), or ''. */
  serverFilename: string;
}
