// Standard Webhooks signing (https://www.standardwebhooks.com/, symmetric scheme `v1`): what a receiver's
// `new Webhook(secret).verify(body, headers)` checks, byte for byte.
import { createHmac } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
// The specification's bounds for an HMAC signing secret: at least 24 bytes, at most 64.
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// Printable ASCII without '.': the id and the timestamp are joined to the body by dots, so neither may hold one.
const MESSAGE_ID = /^[\x21-\x2d\x2f-\x7e]+$/;
// 9999-12-31T23:59:59Z in seconds: anything later is milliseconds passed by mistake.
const MAX_TIMESTAMP_SECONDS = 253_402_300_799;

export interface SignatureHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/**
 * The three Standard Webhooks headers of one attempt: `v1,` + base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`))
 * for each secret, space-separated (several while a rotation runs). The body is signed as its UTF-8 bytes, as
 * it is sent. Throws on a malformed secret, message id or timestamp: they come from us, so that is a bug, and
 * the message never repeats the secret.
 */
export function signatureHeaders(secrets: readonly string[], messageId: string, timestampSeconds: number, body: string): SignatureHeaders {
  if (secrets.length === 0) throw new Error('a webhook needs at least one secret to be signed with');
  if (!MESSAGE_ID.test(messageId)) throw new Error('a webhook message id must be printable ASCII without "."');
  if (!Number.isInteger(timestampSeconds) || timestampSeconds < 0 || timestampSeconds > MAX_TIMESTAMP_SECONDS) {
    throw new Error('a webhook timestamp must be whole Unix seconds');
  }
  const signed = `${messageId}.${timestampSeconds}.${body}`;
  const signatures = secrets.map((secret, i) => `v1,${createHmac('sha256', secretKey(secret, i)).update(signed, 'utf8').digest('base64')}`);
  return { 'webhook-id': messageId, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': signatures.join(' ') };
}

function secretKey(secret: string, index: number): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : null;
  // Node's base64 decoder skips what it does not understand; a secret that is not strict base64 would sign
  // with another key than the receiver's library derives.
  if (encoded === null || !BASE64.test(encoded)) throw new Error(`webhook secret #${index + 1} is not "whsec_" + base64`);
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new Error(`webhook secret #${index + 1} holds ${key.length} bytes, not ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES}`);
  }
  return key;
}
