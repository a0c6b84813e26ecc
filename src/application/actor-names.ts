// Who did what, in words people read: the history names the staff member or the key instead of their ids.
import { actorKeyId } from '../domain/access.js';
import type { LedgerEvent } from '../domain/ledger.js';
import type { ReadRepos } from './ports.js';

/** An event with the name of who did it. */
export type NamedEvent = LedgerEvent & { readonly actorName: string };

const MASTER_ID = actorKeyId({ kind: 'master' });

/**
 * The events' actor names, in their order: the staff member's "First Last" when the event names one, else the
 * key's name (its id when it has none; revoked keys keep theirs), "master key", or "system" for the sweeper.
 * One read of staff and one of keys, whatever the number of events.
 */
export async function actorNames(repos: ReadRepos, companyId: string, events: readonly LedgerEvent[]): Promise<string[]> {
  const staffIds = [...new Set(events.flatMap((e) => (e.actorStaffId === null ? [] : [e.actorStaffId])))];
  const keyIds = [...new Set(events.flatMap((e) => (e.actorStaffId === null && e.actorKeyId !== null && e.actorKeyId !== MASTER_ID ? [e.actorKeyId] : [])))];
  const [staff, keys] = await Promise.all([repos.staff.getMany(companyId, staffIds), repos.apiKeys.getMany(companyId, keyIds)]);
  const staffNames = new Map(staff.map((s) => [s.id, `${s.firstName} ${s.lastName}`.trim()]));
  const keyNames = new Map(keys.map((k) => [k.id, k.name]));
  return events.map((e) => {
    if (e.actorStaffId !== null) return staffNames.get(e.actorStaffId) || e.actorStaffId;
    if (e.actorKeyId === null) return 'system';
    if (e.actorKeyId === MASTER_ID) return 'master key';
    return keyNames.get(e.actorKeyId) || e.actorKeyId;
  });
}

/** The events with their actor names (`repos`: Store.read, or a transaction's repositories inside one). */
export async function withActorNames(repos: ReadRepos, companyId: string, events: readonly LedgerEvent[]): Promise<NamedEvent[]> {
  const names = await actorNames(repos, companyId, events);
  return events.map((e, i) => ({ ...e, actorName: names[i]! }));
}
