// Companies, API keys and /v1/me.
import { Type } from 'typebox';
import type { Deps } from '../../application/context.js';
import { createApiKey, createCompany, listApiKeys, revokeApiKey } from '../../application/keys.js';
import { parsePageRequest } from '../../application/paging.js';
import type { HttpApp } from '../http/types.js';
import { ROLES } from '../../domain/access.js';
import { CompanyParams, Enum, Id, IdList, Name, PageQuery } from '../http/schemas.js';
import { presentApiKey, presentCompany } from './presenters.js';

const tags = ['Companies and keys'];

const Time = Type.String({ description: 'RFC 3339, UTC' });
export const Company = Type.Object({ id: Type.String(), name: Type.String(), createTime: Time, updateTime: Time });
const apiKeyFields = {
  id: Type.String(),
  companyId: Type.String(),
  name: Type.String(),
  role: Enum(ROLES),
  prefix: Type.String({ description: 'the first characters of the key, to recognise it' }),
  businessIds: Type.Array(Type.String(), { description: 'empty: every business' }),
  createTime: Time,
  revokeTime: Type.String({ description: 'RFC 3339, or "" while it is valid' }),
};
export const ApiKey = Type.Object(apiKeyFields);
const IssuedKey = Type.Object({ ...apiKeyFields, key: Type.String({ description: 'the key text: shown once, kept only as a hash' }) });
const Me = Type.Object({
  companyId: Type.String({ description: '"" for the master key' }),
  keyId: Type.String(),
  name: Type.String(),
  role: Enum([...ROLES, 'MASTER'] as const),
  businessIds: Type.Array(Type.String()),
});

export function registerTenantRoutes(app: HttpApp, deps: Deps): void {
  app.post(
    '/v1/companies',
    { schema: { tags, summary: 'Create a company (master key)', body: Type.Object({ id: Id(), name: Name }), response: { 201: Company } } },
    async (request, reply) => reply.code(201).send(presentCompany(await createCompany(deps, request.principal, request.body))),
  );

  app.post(
    '/v1/companies/:companyId/apiKeys',
    {
      schema: {
        tags,
        summary: 'Issue an API key; its text is shown once',
        params: CompanyParams,
        body: Type.Object({
          role: Type.String({ maxLength: 16 }),
          name: Type.Optional(Type.String({ maxLength: 200, description: 'for people to read; absent means none' })),
          businessIds: Type.Optional(IdList),
        }),
        response: { 201: IssuedKey },
      },
    },
    async (request, reply) => {
      const issued = await createApiKey(deps, request.principal, request.params.companyId, request.body);
      return reply.code(201).send({ ...presentApiKey(issued.key), key: issued.text });
    },
  );

  app.get(
    '/v1/companies/:companyId/apiKeys',
    { schema: { tags, summary: 'List keys: ids, names, roles and prefixes, never keys', params: CompanyParams, querystring: Type.Object(PageQuery), response: { 200: Type.Object({ apiKeys: Type.Array(ApiKey), nextPageToken: Type.String() }) } } },
    async (request) => {
      const page = await listApiKeys(deps, request.principal, request.params.companyId, parsePageRequest(request.query.pageSize, request.query.pageToken));
      return { apiKeys: page.items.map(presentApiKey), nextPageToken: page.nextPageToken };
    },
  );

  app.delete(
    '/v1/companies/:companyId/apiKeys/:keyId',
    { schema: { tags, summary: 'Revoke a key, at once', params: Type.Object({ companyId: Id(), keyId: Id() }), response: { 200: Type.Object({}, { description: 'an empty object' }) } } },
    async (request) => {
      await revokeApiKey(deps, request.principal, request.params.companyId, request.params.keyId);
      return {};
    },
  );

  app.get('/v1/me', { schema: { tags, summary: 'The calling key', response: { 200: Me } } }, async (request) => {
    const p = request.principal;
    return p.kind === 'master'
      ? { companyId: '', keyId: 'master', name: 'master key', role: 'MASTER' as const, businessIds: [] }
      : { companyId: p.companyId, keyId: p.keyId, name: p.name, role: p.role, businessIds: [...p.businessIds] };
  });
}
