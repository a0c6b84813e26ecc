// A generated import file (API.md "Import and export"): packages of 1–3 items each from a seeded random source, so
// that every run imports the same bytes. Written to one or more files of at most `maxBytes` each (the import takes a
// body of up to 50 MB), every file with its header row and every package whole in one file.
import fs from 'node:fs';
import path from 'node:path';

export const IMPORT_COLUMNS = [
  'source_id',
  'customer_id',
  'business_id',
  'package_name',
  'package_description',
  'service_id',
  'product_id',
  'total',
  'used',
  'unit_price',
  'item_value',
  'price',
  'currency',
  'paid_amount',
  'purchase_date',
  'start_date',
  'expiration_date',
  'staff_id',
  'invoice_no',
  'customer_first_name',
  'customer_last_name',
  'customer_email',
  'customer_phone',
];

/** mulberry32: a small seeded generator, so the file is the same on every run. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n, width) => String(n).padStart(width, '0');
const cents = (c) => `${Math.floor(c / 100)}.${pad(c % 100, 2)}`;
const DAY = 86_400_000;
const isoDate = (ms) => new Date(ms).toISOString().slice(0, 10);
const isoInstant = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const cell = (v) => {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

const FIRST = ['Ava', 'Liam', 'Noah', 'Emma', 'Mia', 'Lucas', 'Zoë', 'Mateo', 'Chloé', 'Ethan', 'Sofia', 'Jonas', 'Aiko', 'Omar', 'Léa', 'Ivan'];
const LAST = ['García', 'Smith', "O'Brien", 'Nguyen', 'Müller', 'Kowalski', 'Rossi', 'Tanaka', 'Dubois', 'Okafor', 'Silva', 'Jensen', 'Cohen', 'Patel'];
const NAMES = ['Basic Grooming Package', 'Spa Day Bundle', 'Nail Care x10', 'Puppy Starter', 'Deluxe Bath & Trim', 'Color Refresh Series', 'Massage 6-pack', 'Facial Series'];

/** Reference data the generated rows name; the bench creates it before importing. */
export function importReference({ businesses = 3, services = 20, products = 5, staff = 5, existingCustomers = 10_000 } = {}) {
  const zones = ['America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Europe/London'];
  return {
    businesses: Array.from({ length: businesses }, (_, i) => ({ id: `bus_${i + 1}`, name: `Location ${i + 1}`, timeZone: zones[i % zones.length], currencyCode: 'USD' })),
    // List prices $20–$115: what the price is allocated by when a package gives no item values.
    services: Array.from({ length: services }, (_, i) => ({ id: `srv_${pad(i + 1, 2)}`, name: `Service ${i + 1}`, durationMinutes: 30 + (i % 4) * 15, priceCents: 2000 + i * 500 })),
    products: Array.from({ length: products }, (_, i) => ({ id: `prd_${i + 1}`, name: `Product ${i + 1}`, priceCents: 1200 + i * 300 })),
    staff: Array.from({ length: staff }, (_, i) => ({ id: `stf_${i + 1}`, firstName: FIRST[i], lastName: LAST[i] })),
    existingCustomers: Array.from({ length: existingCustomers }, (_, i) => ({ id: `cus_e${pad(i + 1, 6)}`, firstName: FIRST[i % FIRST.length], lastName: LAST[i % LAST.length] })),
  };
}

/** Splits `totalCents` over `weights` exactly: shares rounded down, the cents left over to the largest remainders. */
function allocate(totalCents, weights) {
  const sum = weights.reduce((a, b) => a + b, 0);
  const shares = weights.map((w) => Math.floor((totalCents * w) / sum));
  const order = weights.map((w, i) => ({ i, rest: (totalCents * w) % sum })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (let left = totalCents - shares.reduce((a, b) => a + b, 0), k = 0; left > 0; left--, k++) shares[order[k].i]++;
  return shares;
}

/**
 * Writes `packages` packages into dir/import-1.csv, import-2.csv… (each at most maxBytes). The mix: about 40% for
 * customers created on the way (names given), the rest for `reference.existingCustomers`; 10% never expiring,
 * 15% expired already; 30% with item_value on every item, 20% with unit_price on every item, the rest allocated
 * from the services' list prices; 15% partly paid. Answers the files and the counts.
 */
export function writeImportFiles({ dir, packages, reference, maxBytes, now = Date.now(), seed = 20261201 }) {
  const rnd = random(seed);
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const header = `${IMPORT_COLUMNS.join(',')}\n`;
  const files = [];
  let fd = -1;
  let fileBytes = 0;
  let buffer = [];
  let bufferBytes = 0;
  const flush = () => {
    if (buffer.length > 0) fs.writeSync(fd, buffer.join(''));
    buffer = [];
    bufferBytes = 0;
  };
  const open = () => {
    if (fd !== -1) {
      flush();
      fs.closeSync(fd);
    }
    const file = path.join(dir, `import-${files.length + 1}.csv`);
    fd = fs.openSync(file, 'w');
    files.push({ file, packages: 0, rows: 0, bytes: 0 });
    fs.writeSync(fd, header);
    fileBytes = Buffer.byteLength(header);
  };
  const counts = { packages, items: 0, newCustomers: 0, forNewCustomers: 0, forExistingCustomers: 0, never: 0, expired: 0, itemValue: 0, unitPrice: 0, allocated: 0, partlyPaid: 0, anyOf: 0, productItems: 0 };
  const { businesses, services, products, staff, existingCustomers } = reference;
  let lastNew = null;
  open();
  for (let p = 1; p <= packages; p++) {
    // The customer: an existing one, or one created on the way (a new customer buys one to three packages).
    let customer;
    if (lastNew && rnd() < 0.25) customer = lastNew;
    else if (rnd() < 0.35) {
      counts.newCustomers++;
      const n = counts.newCustomers;
      customer = { id: `cus_n${pad(n, 6)}`, first: pick(FIRST), last: pick(LAST), email: rnd() < 0.6 ? `guest${n}@example.com` : '', phone: rnd() < 0.5 ? `+1555${pad(n % 10_000_000, 7)}` : '' };
      lastNew = customer;
    } else customer = { id: pick(existingCustomers).id };
    if (customer.first) counts.forNewCustomers++;
    else counts.forExistingCustomers++;

    // The items: a service, "any of two services", or a product, each at most once.
    const itemCount = int(1, 3);
    const used = new Set();
    const items = [];
    while (items.length < itemCount) {
      const kind = rnd();
      if (kind < 0.15) {
        const product = pick(products);
        if (used.has(product.id)) continue;
        used.add(product.id);
        const total = int(1, 3);
        items.push({ product: product.id, list: product.priceCents, total });
        counts.productItems++;
      } else {
        const first = pick(services);
        const second = kind < 0.3 ? pick(services) : null;
        if (used.has(first.id) || (second && (second === first || used.has(second.id)))) continue;
        used.add(first.id);
        if (second) used.add(second.id);
        const total = int(1, 10);
        items.push({ service: second ? `${first.id} ${second.id}` : first.id, list: first.priceCents, total });
        if (second) counts.anyOf++;
      }
    }
    for (const i of items) i.used = rnd() < 0.2 ? i.total : int(0, i.total);

    // Values: exact item values, unit prices, or the price allocated over the list prices (10–25% off list).
    const mode = rnd();
    let priceCents;
    if (mode < 0.2) {
      for (const i of items) i.unitCents = Math.round((i.list * int(75, 90)) / 100);
      priceCents = items.reduce((s, i) => s + i.unitCents * i.total, 0);
      counts.unitPrice++;
    } else {
      priceCents = Math.round((items.reduce((s, i) => s + i.list * i.total, 0) * int(75, 90)) / 100);
      if (mode < 0.5) {
        allocate(priceCents, items.map((i) => i.list * i.total)).forEach((v, k) => (items[k].valueCents = v));
        counts.itemValue++;
      } else counts.allocated++;
    }
    const partly = rnd() < 0.15;
    const paidCents = partly ? Math.floor((priceCents * int(40, 90)) / 100) : priceCents;
    if (partly) counts.partlyPaid++;

    // Dates: active (bought within the last 300 days, a year's validity), expired already, or never expiring.
    const state = rnd();
    let purchase;
    let expiration;
    if (state < 0.1) {
      purchase = now - int(2, 700) * DAY - int(0, 86_399) * 1000;
      expiration = rnd() < 0.5 ? 'never' : '';
      counts.never++;
    } else if (state < 0.25) {
      purchase = now - int(400, 1100) * DAY - int(0, 86_399) * 1000;
      expiration = isoDate(purchase + int(180, 365) * DAY);
      counts.expired++;
    } else {
      purchase = now - int(2, 300) * DAY - int(0, 86_399) * 1000;
      expiration = isoDate(purchase + 365 * DAY);
    }
    const purchaseText = rnd() < 0.7 ? isoDate(purchase) : isoInstant(purchase);
    const startText = rnd() < 0.2 ? isoDate(purchase + DAY) : '';

    const business = pick(businesses);
    const name = pick(NAMES);
    const description = rnd() < 0.3 ? `${name}, sold in store` : '';
    const staffId = rnd() < 0.5 ? pick(staff).id : '';
    const invoice = rnd() < 0.5 ? `INV-${pad(p, 7)}` : '';
    const sourceId = `leg_${pad(p, 7)}`;
    let text = '';
    for (const i of items) {
      text +=
        [
          sourceId,
          customer.id,
          business.id,
          name,
          description,
          i.service ?? '',
          i.product ?? '',
          i.total,
          i.used,
          i.unitCents === undefined ? '' : cents(i.unitCents),
          i.valueCents === undefined ? '' : cents(i.valueCents),
          cents(priceCents),
          'USD',
          partly ? cents(paidCents) : '',
          purchaseText,
          startText,
          expiration,
          staffId,
          invoice,
          customer.first ?? '',
          customer.last ?? '',
          customer.email ?? '',
          customer.phone ?? '',
        ]
          .map(cell)
          .join(',') + '\n';
    }
    const bytes = Buffer.byteLength(text);
    if (fileBytes + bytes > maxBytes) open();
    buffer.push(text);
    bufferBytes += bytes;
    fileBytes += bytes;
    const f = files[files.length - 1];
    f.packages++;
    f.rows += items.length;
    f.bytes = fileBytes;
    counts.items += items.length;
    if (bufferBytes > 1 << 20) flush();
  }
  flush();
  fs.closeSync(fd);
  return { files, counts, bytes: files.reduce((s, f) => s + f.bytes, 0) };
}
