// Who performed a visit or a sale: the staff member chosen at this counter, remembered on this device for
// the business (localStorage), sent as `staffId` so the history names them.
import { useCallback, useId, useMemo, useState } from 'react';
import type { Staff } from '../api/types';
import { useDesk } from '../context';
import { useQuery } from '@tanstack/react-query';
import { learnName } from '../lib/messages';

const storageKey = (businessId: string) => `punchcard.staffId.${businessId}`;

function readChoice(businessId: string): string {
  try {
    return window.localStorage.getItem(storageKey(businessId)) ?? '';
  } catch {
    return '';
  }
}

export interface StaffChoice {
  staff: Staff[];
  /** The chosen member's id when they are on the list, else '' (nothing is sent). */
  staffId: string;
  choose: (id: string) => void;
}

/** The company's staff and the member last chosen at this counter, remembered for the business. */
export function useStaffChoice(): StaffChoice {
  const { read, business } = useDesk();
  const query = useQuery(read.staff());
  const [chosen, setChosen] = useState(() => readChoice(business.id));
  const choose = useCallback(
    (id: string) => {
      setChosen(id);
      try {
        if (id) window.localStorage.setItem(storageKey(business.id), id);
        else window.localStorage.removeItem(storageKey(business.id));
      } catch {
        // Private mode: the choice lasts for this dialog only.
      }
    },
    [business.id],
  );
  const staff = useMemo(() => [...(query.data ?? [])].sort((a, b) => fullName(a).localeCompare(fullName(b))), [query.data]);
  for (const m of staff) learnName(m.id, fullName(m));
  // A remembered member who has since left the list is not offered (nor sent).
  return { staff, staffId: staff.some((m) => m.id === chosen) ? chosen : '', choose };
}

const fullName = (s: Staff) => `${s.firstName} ${s.lastName}`.trim() || s.id;

/** A "Performed by" select over the company's staff; nothing when the company lists no staff. */
export function StaffPicker({ choice, label = 'Performed by' }: { choice: StaffChoice; label?: string }) {
  const id = useId();
  if (choice.staff.length === 0) return null;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={choice.staffId} onChange={(e) => choice.choose(e.target.value)}>
        <option value="">— not recorded —</option>
        {choice.staff.map((s) => (
          <option key={s.id} value={s.id}>
            {fullName(s)}
          </option>
        ))}
      </select>
    </div>
  );
}
