// Webhook endpoints, the outbox of messages and their attempts, and the expiring-soon notices.
import { sql } from 'kysely';
import type { ExpiringNoticeRepo, WebhookEndpointRepo, WebhookMessageRepo } from '../application/ports.js';
import { alreadyExists } from '../domain/errors.js';
import type { MessageStatus, WebhookEndpoint } from '../domain/webhooks.js';
import { MESSAGE_STATUSES } from '../domain/webhooks.js';
import type { Db, Queryable } from './database.js';
import { isUniqueViolation, WEBHOOK_CHANNEL } from './database.js';
import * as m from './webhook-mappers.js';

/** What a transaction's webhook writes leave for the dispatchers: the companies whose messages became due. */
export interface WebhookWork {
  readonly written: Set<string>;
  /** No dispatcher listens in this process (the CLI): tell the other processes, by a notice sent at commit. */
  readonly tellOthers: boolean;
}

/** Notes that these companies' messages became due in the transaction on q (store.ts tells the dispatcher after commit). */
export async function noteWebhookWork(q: Queryable, engine: Db['engine'], work: WebhookWork | undefined, companyIds: Iterable<string>): Promise<void> {
  if (!work) return;
  for (const companyId of new Set(companyIds)) {
    if (work.written.has(companyId)) continue;
    work.written.add(companyId);
    // A statement of its own, naming no table: on Citus it runs where the LISTEN connections are (the coordinator).
    if (work.tellOthers && engine === 'postgres') await sql`SELECT pg_notify(${WEBHOOK_CHANNEL}, ${companyId})`.execute(q);
  }
}

/**
 * `shared`, in a group commit's batch, keeps the enabled endpoints once read: every command of the batch arrived
 * before it began, so the endpoints as of its first read are those as of every command's arrival or later.
 */
export function webhookEndpointRepo(q: Queryable, db: Db, shared?: Map<string, unknown>): WebhookEndpointRepo {
  return {
    async insert(e) {
      try {
        await q.insertInto('webhook_endpoints').values(m.endpointToRow(e)).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw alreadyExists('webhook endpoint', e.id);
        throw error;
      }
    },
    async update(e) {
      const { company_id, endpoint_id, created_at: _c, ...changes } = m.endpointToRow(e);
      const r = await q.updateTable('webhook_endpoints').set(changes).where('company_id', '=', company_id).where('endpoint_id', '=', endpoint_id).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async delete(companyId, id) {
      const messages = q.selectFrom('webhook_messages').select('message_id').where('company_id', '=', companyId).where('endpoint_id', '=', id);
      await q.deleteFrom('webhook_attempts').where('company_id', '=', companyId).where('message_id', 'in', messages).execute();
      await q.deleteFrom('webhook_messages').where('company_id', '=', companyId).where('endpoint_id', '=', id).execute();
      const r = await q.deleteFrom('webhook_endpoints').where('company_id', '=', companyId).where('endpoint_id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
    async get(companyId, id) {
      const row = await q.selectFrom('webhook_endpoints').selectAll().where('company_id', '=', companyId).where('endpoint_id', '=', id).executeTakeFirst();
      return row && m.rowToEndpoint(row);
    },
    async list(companyId, page) {
      let query = q.selectFrom('webhook_endpoints').selectAll().where('company_id', '=', companyId);
      if (page.after) query = query.where('endpoint_id', '>', page.after);
      const rows = await query.orderBy('endpoint_id').limit(page.size + 1).offset(page.offset).execute();
      return rows.map(m.rowToEndpoint);
    },
    async listEnabled(companyId) {
      const memo = `webhookEndpoints.enabled ${companyId}`;
      const kept = shared?.get(memo) as readonly WebhookEndpoint[] | undefined;
      if (kept) return [...kept];
      // Asked by every change to a package (the outbox): a query shape, built once.
      const compiled = db.shapes.compile('webhookEndpoints.enabled', { companyId }, (v) =>
        q.selectFrom('webhook_endpoints').selectAll().where('company_id', '=', v.companyId as string).where('disabled', '=', 0).orderBy('endpoint_id'),
      );
      const endpoints = (await q.executeQuery(compiled)).rows.map(m.rowToEndpoint);
      shared?.set(memo, endpoints);
      return [...endpoints];
    },
  };
}

export function webhookMessageRepo(q: Queryable, engine: Db['engine'], work?: WebhookWork): WebhookMessageRepo {
  const due = (companyId: string, now: number) =>
    q
      .selectFrom('webhook_messages')
      .select(['company_id', 'message_id'])
      .where('company_id', '=', companyId)
      .where('status', '=', 'PENDING')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .orderBy('next_attempt_at');

  return {
    async insert(messages) {
      if (messages.length === 0) return;
      await q.insertInto('webhook_messages').values(messages.map(m.messageToRow)).execute();
      await noteWebhookWork(q, engine, work, messages.map((x) => x.companyId));
    },
    async get(companyId, id) {
      const row = await q.selectFrom('webhook_messages').selectAll().where('company_id', '=', companyId).where('message_id', '=', id).executeTakeFirst();
      return row && m.rowToMessage(row);
    },
    async list(companyId, endpointId, status, page) {
      let query = q.selectFrom('webhook_messages').selectAll().where('company_id', '=', companyId).where('endpoint_id', '=', endpointId);
      if (status) query = query.where('status', '=', status);
      if (page.before) query = query.where('message_id', '<', page.before);
      const rows = await query.orderBy('message_id', 'desc').limit(page.size + 1).offset(page.offset).execute();
      return rows.map(m.rowToMessage);
    },
    async attempts(companyId, messageId) {
      const rows = await q.selectFrom('webhook_attempts').selectAll().where('company_id', '=', companyId).where('message_id', '=', messageId).orderBy('attempt').execute();
      return rows.map(m.rowToAttempt);
    },
    async stats() {
      // Company by company (every statement is about one company, for Citus), summed: a scrape costs one
      // index-only count per company, about 0.1 ms each on PostgreSQL (docs/citus.md).
      const byStatus = Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, 0])) as Record<MessageStatus, number>;
      let oldestPendingTime: number | null = null;
      for (let after: string | null = null; ; ) {
        let companies = q.selectFrom('companies').select('company_id');
        if (after !== null) companies = companies.where('company_id', '>', after);
        const ids = (await companies.orderBy('company_id').limit(500).execute()).map((r) => r.company_id);
        for (const companyId of ids) {
          const rows = await q
            .selectFrom('webhook_messages')
            .select(['status'])
            .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min<number>('created_at').as('oldest')])
            .where('company_id', '=', companyId)
            .groupBy('status')
            .execute();
          for (const r of rows) {
            byStatus[r.status as MessageStatus] += Number(r.n);
            if (r.status === 'PENDING' && r.oldest !== null) oldestPendingTime = Math.min(oldestPendingTime ?? Infinity, Number(r.oldest));
          }
        }
        if (ids.length < 500) return { byStatus, oldestPendingTime };
        after = ids[ids.length - 1]!;
      }
    },
    async nextClaimable(companyId) {
      // A leased message can be claimed once its lease ends; the others at their next attempt time.
      const row = await q
        .selectFrom('webhook_messages')
        .select(sql<number | null>`MIN(CASE WHEN lease_until IS NOT NULL AND lease_until > next_attempt_at THEN lease_until ELSE next_attempt_at END)`.as('at'))
        .where('company_id', '=', companyId)
        .where('status', '=', 'PENDING')
        .executeTakeFirst();
      return row?.at === null || row?.at === undefined ? null : Number(row.at);
    },
    async claimDue(companyId, owner, now, leaseUntil, limit) {
      if (limit <= 0) return [];
      if (engine === 'postgres') {
        // One statement: the rows another process is claiming are skipped, not waited for.
        const rows = await sql<m.MessageRow>`UPDATE webhook_messages AS w SET lease_owner = ${owner}, lease_until = ${leaseUntil}
          FROM (${due(companyId, now).limit(limit).forUpdate().skipLocked()}) AS d
          WHERE w.company_id = ${companyId} AND w.company_id = d.company_id AND w.message_id = d.message_id
          RETURNING w.*`.execute(q);
        return rows.rows.map(m.rowToMessage);
      }
      // SQLite: a guarded update per candidate; the single writer (BEGIN IMMEDIATE) keeps processes apart.
      const claimed = [];
      for (const c of await due(companyId, now).limit(limit).execute()) {
        const row = await q
          .updateTable('webhook_messages')
          .set({ lease_owner: owner, lease_until: leaseUntil })
          .where('company_id', '=', c.company_id)
          .where('message_id', '=', c.message_id)
          .where('status', '=', 'PENDING')
          .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
          .returningAll()
          .executeTakeFirst();
        if (row) claimed.push(m.rowToMessage(row));
      }
      return claimed;
    },
    async finishAttempt(companyId, id, owner, outcome) {
      const a = outcome.attempt;
      const r = await q
        .updateTable('webhook_messages')
        .set({
          status: outcome.status,
          attempts: sql<number>`attempts + 1`,
          round_attempts: sql<number>`round_attempts + 1`,
          next_attempt_at: outcome.nextAttemptTime,
          lease_owner: null,
          lease_until: null,
          last_attempt_at: a.time,
          last_response_status: a.responseStatus,
        })
        .where('company_id', '=', companyId)
        .where('message_id', '=', id)
        .where('lease_owner', '=', owner)
        .where('status', '=', 'PENDING')
        .returning(['attempts'])
        .executeTakeFirst();
      if (!r) return false;
      await q.insertInto('webhook_attempts').values(m.attemptToRow(companyId, id, Number(r.attempts), a)).execute();
      return true;
    },
    async failPending(companyId, endpointId) {
      const r = await q
        .updateTable('webhook_messages')
        .set({ status: 'FAILED', next_attempt_at: null, lease_owner: null, lease_until: null })
        .where('company_id', '=', companyId)
        .where('endpoint_id', '=', endpointId)
        .where('status', '=', 'PENDING')
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async redeliver(companyId, id, now) {
      const row = await q
        .updateTable('webhook_messages')
        .set({ status: 'PENDING', next_attempt_at: now, round_attempts: 0, lease_owner: null, lease_until: null })
        .where('company_id', '=', companyId)
        .where('message_id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (row) await noteWebhookWork(q, engine, work, [companyId]);
      return row && m.rowToMessage(row);
    },
    async dropOrphan(companyId, id) {
      const orphan = q
        .selectFrom('webhook_messages')
        .select('message_id')
        .where('company_id', '=', companyId)
        .where('message_id', '=', id)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('webhook_endpoints')
                .select('endpoint_id')
                .where('webhook_endpoints.company_id', '=', companyId)
                .whereRef('webhook_endpoints.endpoint_id', '=', 'webhook_messages.endpoint_id'),
            ),
          ),
        );
      await q.deleteFrom('webhook_attempts').where('company_id', '=', companyId).where('message_id', 'in', orphan).execute();
      const r = await q.deleteFrom('webhook_messages').where('company_id', '=', companyId).where('message_id', 'in', orphan).executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
  };
}

export function expiringNoticeRepo(q: Queryable): ExpiringNoticeRepo {
  return {
    async known(companyId, packageIds) {
      if (packageIds.length === 0) return [];
      const rows = await q
        .selectFrom('expiring_soon_notices')
        .select(['package_id', 'expiration_date'])
        .where('company_id', '=', companyId)
        .where('package_id', 'in', [...packageIds])
        .execute();
      return rows.map((r) => ({ packageId: r.package_id, expirationDate: r.expiration_date }));
    },
    async record(companyId, packageId, expirationDate, at) {
      // ON CONFLICT rather than catching the violation: on PostgreSQL a failed statement ends the transaction.
      const r = await q
        .insertInto('expiring_soon_notices')
        .values({ company_id: companyId, package_id: packageId, expiration_date: expirationDate, created_at: at })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
  };
}
