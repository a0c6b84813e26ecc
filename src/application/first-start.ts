// A newcomer's first `npm start`: with no master key and an empty database, create the demo company and one
// ADMIN key to sign in with. The key is stored hashed like any other and shown only this once.
import type { Deps } from './context.js';
import { issueKey } from './keys.js';

export const DEMO_COMPANY_ID = 'cmp_demo';

export interface FirstStartResult {
  readonly companyId: string;
  readonly key: string;
}

export async function firstStart(deps: Deps): Promise<FirstStartResult | null> {
  if (deps.masterKey) return null;
  if ((await deps.store.read.companies.count()) > 0) return null;
  const now = deps.clock.now();
  try {
    await deps.store.transaction((repos) => repos.companies.insert({ id: DEMO_COMPANY_ID, name: 'Demo Grooming Co.', createTime: now, updateTime: now }));
  } catch {
    return null; // another process started first and made it
  }
  const issued = await issueKey(deps, DEMO_COMPANY_ID, 'ADMIN', [], 'Demo admin');
  return { companyId: DEMO_COMPANY_ID, key: issued.text };
}
