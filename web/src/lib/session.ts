// The API key lives for this tab only (sessionStorage): closing the tab signs out, and no other tab sees it.
const KEY = 'punchcard.apiKey';
const BUSINESS = 'punchcard.businessId';

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export const session = {
  key: () => storage()?.getItem(KEY) ?? null,
  setKey: (key: string) => storage()?.setItem(KEY, key),
  businessId: () => storage()?.getItem(BUSINESS) ?? null,
  setBusinessId: (id: string) => storage()?.setItem(BUSINESS, id),
  clear: () => {
    storage()?.removeItem(KEY);
    storage()?.removeItem(BUSINESS);
  },
};
