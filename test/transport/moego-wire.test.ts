// Wire compatibility between Punchcard's MoeGo contract (proto/, generated into src/gen/) and MoeGo's
// package API exactly as MoeGo publishes it (test/fixtures/proto-moego-published/, generated into its
// gen/). Proves, both ways: binary encoding, the JSON names we chose, and a real gRPC (h2c) round trip
// through Fastify + @connectrpc/connect-fastify with clients from @connectrpc/connect-node.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, fromBinary, fromJson, toBinary, toJson, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { createClient, type ConnectRouter } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { fastifyConnectPlugin } from "@connectrpc/connect-fastify";
import { fastify } from "fastify";
import type { AddressInfo } from "node:net";

import {
  ListPackageDetailsRequestSchema,
  ListPackageDetailsResponseSchema,
  ListPackagesRequestSchema,
  ListPackagesResponseSchema,
  PackageService,
} from "../../src/gen/moego/business/package/v1/package_service_pb.js";
import { Package_Status, PackageSchema } from "../../src/gen/moego/business/package/v1/package_pb.js";
import {
  ListPackageDetailsRequestSchema as PubListPackageDetailsRequestSchema,
  ListPackageDetailsResponseSchema as PubListPackageDetailsResponseSchema,
  ListPackagesRequestSchema as PubListPackagesRequestSchema,
  ListPackagesResponseSchema as PubListPackagesResponseSchema,
  PackageService as PubPackageService,
} from "../fixtures/proto-moego-published/gen/moego/business/package/v1/package_service_pb.js";
import type {
  Package as PubPackage,
  PackageDetail as PubPackageDetail,
} from "../fixtures/proto-moego-published/gen/moego/business/package/v1/package_pb.js";

const t = (iso: string) => timestampFromDate(new Date(iso));

// Every field of Package set to a non-default value.
const packageInit = {
  id: "pkg_abc123",
  cartPackageId: "cart_9",
  customerId: "cus_123",
  staffId: "staff_001",
  retailInvoiceItemId: "inv_item_7",
  confirmationId: "conf_42",
  packageName: "Basic Grooming Package",
  packageDesc: "Includes 5 basic grooming sessions",
  packagePrice: { currencyCode: "USD", units: 150n, nanos: 500_000_000 },
  purchaseTime: t("2023-01-15T10:00:00Z"),
  startTime: t("2023-01-15T10:00:01Z"),
  endTime: t("2024-01-15T10:00:00Z"),
  createTime: t("2023-01-15T10:00:02Z"),
  updateTime: t("2023-01-16T11:30:00.250Z"),
  status: Package_Status.NORMAL,
  used: true,
  totalRemainingQuantity: 3,
  applied: true,
  businessId: "bus_001",
  expirationDate: "2024-01-14",
} satisfies MessageInitShape<typeof PackageSchema>;

const packageServiceInit = {
  id: "ps_001",
  packageId: "pkg_abc123",
  services: [
    { serviceId: "srv_001", unitPrice: { currencyCode: "USD", units: 30n, nanos: 100_000_000 }, name: "Basic Grooming" },
    { serviceId: "srv_002", unitPrice: { currencyCode: "USD", units: 31n, nanos: 0 }, name: "Bath" },
  ],
  totalQuantity: 5,
  remainingQuantity: 3,
};

function ourListPackagesResponse() {
  return create(ListPackagesResponseSchema, { packages: [packageInit], nextPageToken: "2" });
}

function ourListPackageDetailsResponse() {
  return create(ListPackageDetailsResponseSchema, {
    packageDetails: [{ packageInfo: packageInit, packageServices: [packageServiceInit] }],
    nextPageToken: "tok_next",
  });
}

function ms(ts: { seconds: bigint; nanos: number } | undefined): number {
  expect(ts).toBeDefined();
  return timestampDate(ts as Parameters<typeof timestampDate>[0]).getTime();
}

/** Checks every field of a Package decoded with the published schema. */
function expectPublishedPackage(p: PubPackage | undefined) {
  expect(p).toBeDefined();
  const pkg = p as PubPackage;
  expect(pkg.id).toBe("pkg_abc123");
  expect(pkg.cartPackageId).toBe("cart_9");
  expect(pkg.customerId).toBe("cus_123");
  expect(pkg.staffId).toBe("staff_001");
  expect(pkg.retailInvoiceItemId).toBe("inv_item_7");
  expect(pkg.confirmationId).toBe("conf_42");
  expect(pkg.packageName).toBe("Basic Grooming Package");
  expect(pkg.packageDesc).toBe("Includes 5 basic grooming sessions");
  expect(pkg.packagePrice?.currencyCode).toBe("USD");
  expect(pkg.packagePrice?.units).toBe(150n);
  expect(pkg.packagePrice?.nanos).toBe(500_000_000);
  expect(ms(pkg.purchaseTime)).toBe(Date.parse("2023-01-15T10:00:00Z"));
  expect(ms(pkg.startTime)).toBe(Date.parse("2023-01-15T10:00:01Z"));
  expect(ms(pkg.endTime)).toBe(Date.parse("2024-01-15T10:00:00Z"));
  expect(ms(pkg.createTime)).toBe(Date.parse("2023-01-15T10:00:02Z"));
  // update_time (14) arrives under MoeGo's name, although our JSON calls it lastUpdateTime.
  expect(ms(pkg.updateTime)).toBe(Date.parse("2023-01-16T11:30:00.250Z"));
  // Our enum STATUS_NORMAL arrives as MoeGo's int32 1.
  expect(typeof pkg.status).toBe("number");
  expect(pkg.status).toBe(1);
  expect(pkg.used).toBe(true);
  expect(pkg.totalRemainingQuantity).toBe(3);
  expect(pkg.applied).toBe(true);
  expect(pkg.businessId).toBe("bus_001");
  expect(pkg.expirationDate).toBe("2024-01-14");
  // Nothing we send is unknown to MoeGo's schema.
  expect(pkg.$unknown ?? []).toEqual([]);
}

function expectPublishedDetail(d: PubPackageDetail | undefined) {
  expect(d).toBeDefined();
  const detail = d as PubPackageDetail;
  expectPublishedPackage(detail.packageInfo);
  expect(detail.packageServices).toHaveLength(1);
  const ps = detail.packageServices[0];
  expect(ps?.id).toBe("ps_001");
  expect(ps?.packageId).toBe("pkg_abc123");
  expect(ps?.totalQuantity).toBe(5);
  expect(ps?.remainingQuantity).toBe(3);
  expect(ps?.services.map((s) => [s.serviceId, s.name, s.unitPrice?.currencyCode, s.unitPrice?.units, s.unitPrice?.nanos])).toEqual([
    ["srv_001", "Basic Grooming", "USD", 30n, 100_000_000],
    ["srv_002", "Bath", "USD", 31n, 0],
  ]);
  expect(detail.$unknown ?? []).toEqual([]);
}

describe("binary wire: our responses decode in MoeGo's published schema", () => {
  it("ListPackagesResponse", () => {
    const bytes = toBinary(ListPackagesResponseSchema, ourListPackagesResponse());
    const pub = fromBinary(PubListPackagesResponseSchema, bytes);
    expect(pub.packages).toHaveLength(1);
    expectPublishedPackage(pub.packages[0]);
    expect(pub.nextPageToken).toBe("2");
    expect(pub.$unknown ?? []).toEqual([]);
  });

  it("ListPackageDetailsResponse", () => {
    const bytes = toBinary(ListPackageDetailsResponseSchema, ourListPackageDetailsResponse());
    const pub = fromBinary(PubListPackageDetailsResponseSchema, bytes);
    expect(pub.packageDetails).toHaveLength(1);
    expectPublishedDetail(pub.packageDetails[0]);
    expect(pub.nextPageToken).toBe("tok_next");
  });

  it("is byte-identical to what MoeGo's schema would encode for the same data", () => {
    const pub = create(PubListPackagesResponseSchema, {
      packages: [{ ...packageInit, status: 1 }],
      nextPageToken: "2",
    });
    expect(toBinary(ListPackagesResponseSchema, ourListPackagesResponse())).toEqual(
      toBinary(PubListPackagesResponseSchema, pub),
    );
  });

  it("a published-shape response (int32 status 1) decodes in ours as STATUS_NORMAL", () => {
    const pub = create(PubListPackagesResponseSchema, { packages: [{ ...packageInit, status: 1 }] });
    const ours = fromBinary(ListPackagesResponseSchema, toBinary(PubListPackagesResponseSchema, pub));
    expect(ours.packages[0]?.status).toBe(Package_Status.NORMAL);
    expect(ms(ours.packages[0]?.updateTime)).toBe(Date.parse("2023-01-16T11:30:00.250Z"));
  });
});

describe("binary wire: MoeGo's published requests decode in ours", () => {
  it("ListPackagesRequest with one customer_id (published shape)", () => {
    const pub = create(PubListPackagesRequestSchema, {
      pagination: { pageSize: 20, pageToken: "1" },
      companyId: "cmp_001",
      businessId: "bus_001",
      customerId: "cus_123",
    });
    const ours = fromBinary(ListPackagesRequestSchema, toBinary(PubListPackagesRequestSchema, pub));
    expect(ours.pagination?.pageSize).toBe(20);
    expect(ours.pagination?.pageToken).toBe("1");
    expect(ours.companyId).toBe("cmp_001");
    expect(ours.businessId).toBe("bus_001");
    expect(ours.customerId).toBe("cus_123");
    expect(ours.customerIds).toEqual([]);
    expect(ours.$unknown ?? []).toEqual([]);
  });

  it("ListPackagesRequest without business_id: ours sees it absent (optional)", () => {
    const pub = create(PubListPackagesRequestSchema, { companyId: "cmp_001", customerId: "cus_123" });
    const ours = fromBinary(ListPackagesRequestSchema, toBinary(PubListPackagesRequestSchema, pub));
    expect(ours.businessId).toBeUndefined();
    expect(ours.pagination).toBeUndefined();
  });

  it("our ListPackagesRequest decodes in the published schema; customer_ids (5) is an unknown field there", () => {
    const ours = create(ListPackagesRequestSchema, {
      pagination: { pageSize: 20, pageToken: "1" },
      companyId: "cmp_001",
      businessId: "bus_001",
      customerId: "cus_123",
      customerIds: ["cus_123", "cus_456"],
    });
    const pub = fromBinary(PubListPackagesRequestSchema, toBinary(ListPackagesRequestSchema, ours));
    expect(pub.pagination?.pageSize).toBe(20);
    expect(pub.pagination?.pageToken).toBe("1");
    expect(pub.companyId).toBe("cmp_001");
    expect(pub.businessId).toBe("bus_001");
    expect(pub.customerId).toBe("cus_123");
    expect(pub.$unknown?.map((u) => u.no)).toEqual([5, 5]);
  });

  it("ListPackageDetailsRequest, both ways", () => {
    const pub = create(PubListPackageDetailsRequestSchema, {
      pagination: { pageSize: 500, pageToken: "3" },
      companyId: "cmp_001",
      businessId: "bus_001",
      packageIds: ["pkg_abc123", "pkg_def456"],
    });
    const ours = fromBinary(ListPackageDetailsRequestSchema, toBinary(PubListPackageDetailsRequestSchema, pub));
    expect(ours.pagination?.pageSize).toBe(500);
    expect(ours.pagination?.pageToken).toBe("3");
    expect(ours.companyId).toBe("cmp_001");
    expect(ours.businessId).toBe("bus_001");
    expect(ours.packageIds).toEqual(["pkg_abc123", "pkg_def456"]);
    expect(ours.$unknown ?? []).toEqual([]);
    expect(toBinary(ListPackageDetailsRequestSchema, ours)).toEqual(toBinary(PubListPackageDetailsRequestSchema, pub));
  });
});

describe("protobuf JSON of our schema (what toJson/fromJson do; the HTTP surface maps its own JSON)", () => {
  it("names lastUpdateTime, writes the enum by name, int64 units as a string", () => {
    const json = toJson(ListPackagesResponseSchema, ourListPackagesResponse()) as {
      packages: Record<string, unknown>[];
      nextPageToken: string;
    };
    const p = json.packages[0] as Record<string, unknown>;
    expect(p).toHaveProperty("lastUpdateTime", "2023-01-16T11:30:00.250Z");
    expect(p).not.toHaveProperty("updateTime");
    expect(p).toHaveProperty("status", "STATUS_NORMAL");
    // Protobuf JSON writes int64 as a string: "150", not the seed's number 150.
    expect(p).toHaveProperty("packagePrice", { currencyCode: "USD", units: "150", nanos: 500000000 });
    expect(p).toHaveProperty("purchaseTime", "2023-01-15T10:00:00Z");
    expect(p).toHaveProperty("expirationDate", "2024-01-14");
    expect(p).toHaveProperty("totalRemainingQuantity", 3);
    expect(json.nextPageToken).toBe("2");
  });

  it("omits defaults unless alwaysEmitImplicit is set", () => {
    const empty = create(PackageSchema, { id: "pkg_1" });
    expect(toJson(PackageSchema, empty)).toEqual({ id: "pkg_1" });
    const full = toJson(PackageSchema, empty, { alwaysEmitImplicit: true }) as Record<string, unknown>;
    expect(full).toMatchObject({ used: false, applied: false, totalRemainingQuantity: 0, status: "STATUS_UNSPECIFIED", customerId: "" });
    // Message fields (timestamps, money) stay absent when unset, even with alwaysEmitImplicit.
    expect(full).not.toHaveProperty("lastUpdateTime");
    expect(full).not.toHaveProperty("packagePrice");
  });

  it("reads the seed's request JSON (customerIds) and its package JSON (number units, lastUpdateTime)", () => {
    const req = fromJson(ListPackagesRequestSchema, {
      pagination: { pageSize: 20, pageToken: "1" },
      companyId: "cmp_001",
      customerIds: ["cus_123"],
    });
    expect(req.customerIds).toEqual(["cus_123"]);
    expect(req.customerId).toBe("");
    expect(req.businessId).toBeUndefined();

    const pkg = fromJson(PackageSchema, {
      id: "pkg_abc123",
      packagePrice: { currencyCode: "USD", units: 150, nanos: 0 },
      lastUpdateTime: "2023-01-15T10:00:00Z",
      status: "STATUS_NORMAL",
    });
    expect(pkg.packagePrice?.units).toBe(150n);
    expect(ms(pkg.updateTime)).toBe(Date.parse("2023-01-15T10:00:00Z"));
    expect(pkg.status).toBe(Package_Status.NORMAL);
    // The proto name is accepted too; the lowerCamel "updateTime" is not a name of this field.
    expect(ms(fromJson(PackageSchema, { update_time: "2023-01-15T10:00:00Z" }).updateTime)).toBe(
      Date.parse("2023-01-15T10:00:00Z"),
    );
    expect(() => fromJson(PackageSchema, { updateTime: "2023-01-15T10:00:00Z" })).toThrow();
  });
});

describe("gRPC (h2c) round trip through Fastify + connect-fastify", () => {
  let server: ReturnType<typeof makeServer> | undefined;
  let baseUrl: string;
  const sessions: Http2SessionManager[] = [];
  const seen: { customerId: string; customerIds: string[]; businessId: string | undefined }[] = [];

  const routes = (router: ConnectRouter) => {
    router.service(PackageService, {
      listPackages(req) {
        seen.push({ customerId: req.customerId, customerIds: [...req.customerIds], businessId: req.businessId });
        const res = ourListPackagesResponse();
        // Echo the asked-for customer back, to show the request decoded on the server.
        const asked = req.customerId || req.customerIds[0];
        if (asked && res.packages[0]) res.packages[0].customerId = asked;
        return res;
      },
      listPackageDetails(req) {
        const res = ourListPackageDetailsResponse();
        res.nextPageToken = `after:${req.packageIds.join(",")}`;
        return res;
      },
    });
  };

  function transport() {
    const sessionManager = new Http2SessionManager(baseUrl);
    sessions.push(sessionManager);
    // gRPC always runs over HTTP/2 here: in connect-node 2.1.1 GrpcTransportOptions has no `httpVersion`.
    return createGrpcTransport({ baseUrl, sessionManager });
  }

  // HTTP/2 without TLS (h2c), as the GRPC_PORT listener serves it.
  function makeServer() {
    return fastify({ http2: true });
  }

  beforeAll(async () => {
    server = makeServer();
    await server.register(fastifyConnectPlugin, { routes });
    await server.listen({ port: 0, host: "127.0.0.1" });
    const addr = server.server.address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${addr.port}`;
  });

  afterAll(async () => {
    for (const s of sessions) s.abort();
    await server?.close();
  });

  it("client from our generated service", async () => {
    const client = createClient(PackageService, transport());
    const res = await client.listPackages({
      pagination: { pageSize: 20, pageToken: "1" },
      companyId: "cmp_001",
      customerIds: ["cus_123", "cus_456"],
    });
    expect(res.packages).toHaveLength(1);
    expect(res.packages[0]?.status).toBe(Package_Status.NORMAL);
    expect(res.packages[0]?.customerId).toBe("cus_123");
    expect(ms(res.packages[0]?.updateTime)).toBe(Date.parse("2023-01-16T11:30:00.250Z"));
    expect(res.nextPageToken).toBe("2");
    expect(seen.at(-1)).toEqual({ customerId: "", customerIds: ["cus_123", "cus_456"], businessId: undefined });

    const details = await client.listPackageDetails({ companyId: "cmp_001", packageIds: ["pkg_abc123"] });
    expect(details.packageDetails[0]?.packageServices[0]?.services).toHaveLength(2);
    expect(details.nextPageToken).toBe("after:pkg_abc123");
  });

  it("client from MoeGo's published service (unchanged shape)", async () => {
    const client = createClient(PubPackageService, transport());
    const res = await client.listPackages({
      pagination: { pageSize: 20, pageToken: "1" },
      companyId: "cmp_001",
      businessId: "bus_001",
      customerId: "cus_789",
    });
    expect(seen.at(-1)).toEqual({ customerId: "cus_789", customerIds: [], businessId: "bus_001" });
    expect(res.packages).toHaveLength(1);
    const p = res.packages[0];
    expect(p?.customerId).toBe("cus_789");
    if (p) p.customerId = "cus_123"; // the rest is the fixed data
    expectPublishedPackage(p);
    expect(res.nextPageToken).toBe("2");

    const details = await client.listPackageDetails({
      pagination: { pageSize: 20, pageToken: "1" },
      companyId: "cmp_001",
      businessId: "bus_001",
      packageIds: ["pkg_abc123", "pkg_x"],
    });
    expect(details.packageDetails).toHaveLength(1);
    expectPublishedDetail(details.packageDetails[0]);
    expect(details.nextPageToken).toBe("after:pkg_abc123,pkg_x");
  });
});
