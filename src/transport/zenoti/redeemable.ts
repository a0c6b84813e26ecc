// Zenoti's `redeemable`: could at least one service of the package be redeemed at this center now? The same
// rules the redemption use case applies (assertRedeemable), asked without redeeming.
import { addValidity } from '../../domain/calendar.js';
import { DomainError } from '../../domain/errors.js';
import { assertRedeemable, serviceItems } from '../../domain/package.js';
import type { PackageView } from '../../application/package-tx.js';

/** True when a redemption of some service with units left would be accepted at centerId at view.asOf. */
export function redeemableAt(view: PackageView, centerId: string): boolean {
  const { pkg, asOf } = view;
  // A package that starts at its first redemption would start with this one, as redeemableCandidates assumes.
  const started = pkg.startTime === null ? { ...pkg, startTime: asOf, endTime: addValidity(asOf, pkg.validity, pkg.timeZone) } : pkg;
  try {
    assertRedeemable(started, asOf, centerId);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'FAILED_PRECONDITION') return false;
    throw error;
  }
  return serviceItems(started).some((i) => i.remaining > 0);
}
