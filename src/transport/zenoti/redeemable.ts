// Zenoti's `redeemable`: could at least one service of the package be redeemed at this center now? The rules
// of redeeming, asked without redeeming (domain canRedeem).
import { canRedeem } from '../../domain/package.js';
import type { PackageView } from '../../application/package-tx.js';

/** True when a redemption of some service with units left would be accepted at centerId at view.asOf. */
export function redeemableAt(view: PackageView, centerId: string): boolean {
  return canRedeem(view.pkg, view.asOf, centerId);
}
