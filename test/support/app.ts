// An HTTP app on a test store with a movable clock, and factories that read like the front desk's day.
import { randomBytes } from 'node:crypto';
import type { Engine } from '../../src/storage/database.js';
import { FixedClock } from '../../src/domain/clock.js';
import type { Deps } from '../../src/application/context.js';
import { GenerationCache } from '../../src/application/generation-cache.js';
import { PackageCache } from '../../src/application/package-cache.js';
import { AnswerCache } from '../../src/application/answer-cache.js';
import { Outbox } from '../../src/application/webhook-outbox.js';
import type { RateLimiter } from '../../src/application/rate-limit.js';
import { webhookRenderer } from '../../src/transport/webhooks/render.js';
import { buildHttpApp, type HttpApp } from '../../src/transport/http/app.js';
import { openTestStore, type TestStore } from './engines.js';

export const MASTER_KEY = 'test-master-key-0123456789';

export interface TestApp {
  readonly app: HttpApp;
  readonly deps: Deps;
  readonly clock: FixedClock;
  readonly testStore: TestStore;
  /** A new company with an ADMIN key. */
  newCompany(): Promise<TestCompany>;
  close(): Promise<void>;
}

export interface TestCompany {
  readonly id: string;
  readonly key: string;
  readonly auth: { authorization: string };
  /** Issues another key of this company. */
  newKey(role: 'ADMIN' | 'STAFF' | 'VIEWER', businessIds?: string[]): Promise<{ id: string; key: string; auth: { authorization: string } }>;
  /** Calls the native API as this company's ADMIN; paths are relative to /v1/companies/{id}. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any; headers: Record<string, unknown> }>;
}

export const uniqueId = (prefix: string) => `${prefix}_${randomBytes(4).toString('hex')}`;

export interface TestAppOptions {
  readonly now?: number;
  readonly masterKey?: string | null;
  /** Rate limits (off unless given); build one over `MemoryBuckets(() => clock.now())` to move its time with the clock. */
  readonly rateLimiter?: (clock: FixedClock) => RateLimiter;
  readonly trustProxy?: boolean;
}

export async function createTestApp(engine: Engine, options: TestAppOptions = {}): Promise<TestApp> {
  const testStore = await openTestStore(engine);
  const clock = new FixedClock(options.now ?? Date.parse('2026-03-10T15:00:00Z'));
  // With the key cache, as the server runs: revocation tests then cover it.
  const deps: Deps = { store: testStore.store, clock, masterKey: options.masterKey === undefined ? MASTER_KEY : options.masterKey, keyCache: new GenerationCache(), referenceCache: new GenerationCache(), packageCache: new PackageCache(), answerCache: new AnswerCache(), outbox: new Outbox(webhookRenderer), ...(options.rateLimiter ? { rateLimiter: options.rateLimiter(clock) } : {}) };
  const app = await buildHttpApp({ deps, trustProxy: options.trustProxy ?? false });
  await app.ready();
  const master = { authorization: `Bearer ${MASTER_KEY}` };

  async function newCompany(): Promise<TestCompany> {
    const id = uniqueId('cmp');
    const created = await app.inject({ method: 'POST', url: '/v1/companies', headers: master, payload: { id, name: `Company ${id}` } });
    if (created.statusCode !== 201) throw new Error(`company: ${created.body}`);
    const newKey = async (role: 'ADMIN' | 'STAFF' | 'VIEWER', businessIds?: string[]) => {
      const r = await app.inject({ method: 'POST', url: `/v1/companies/${id}/apiKeys`, headers: master, payload: { role, businessIds } });
      if (r.statusCode !== 201) throw new Error(`key: ${r.body}`);
      const json = r.json();
      return { id: json.id as string, key: json.key as string, auth: { authorization: `Bearer ${json.key}` } };
    };
    const admin = await newKey('ADMIN');
    return {
      id,
      key: admin.key,
      auth: admin.auth,
      newKey,
      async call(method, path, body, headers = {}) {
        const r = await app.inject({
          method: method as any,
          url: `/v1/companies/${id}${path}`,
          headers: { ...admin.auth, ...headers },
          ...(body === undefined ? {} : { payload: body as any }),
        });
        let json: any;
        try {
          json = r.json();
        } catch {
          json = undefined;
        }
        return { status: r.statusCode, json, headers: r.headers };
      },
    };
  }

  return {
    app,
    deps,
    clock,
    testStore,
    newCompany,
    close: async () => {
      await app.close();
      await testStore.close();
    },
  };
}
