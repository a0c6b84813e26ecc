// Reads the key from the three header forms clients send: Bearer (native), Basic with the base64 key (MoeGo)
// and apikey (Zenoti).
export function keyFromAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  if (space < 0) return undefined;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (!value) return undefined;
  if (scheme === 'bearer' || scheme === 'apikey') return value;
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // "key", "key:" or ":key": whichever side holds it.
    if (colon < 0) return decoded || undefined;
    return decoded.slice(0, colon) || decoded.slice(colon + 1) || undefined;
  }
  return undefined;
}
