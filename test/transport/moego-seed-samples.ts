// MoeGo's seed document's sample requests and responses, verbatim (shared/seeds/moego-package-api.txt).
export const SEED_LIST_PACKAGES_REQUEST = {
  pagination: { pageSize: 20, pageToken: '1' },
  companyId: 'cmp_001',
  customerIds: ['cus_123'],
};

const SEED_PACKAGE = {
  id: 'pkg_abc123',
  customerId: 'cus_123',
  businessId: 'bus_001',
  staffId: 'staff_001',
  packageName: 'Basic Grooming Package',
  packageDesc: 'Includes 5 basic grooming sessions',
  packagePrice: { currencyCode: 'USD', units: 150, nanos: 0 },
  purchaseTime: '2023-01-15T10:00:00Z',
  startTime: '2023-01-15T10:00:00Z',
  endTime: '2024-01-15T10:00:00Z',
  createTime: '2023-01-15T10:00:00Z',
  lastUpdateTime: '2023-01-15T10:00:00Z',
  expirationDate: '2024-01-15',
  status: 'STATUS_NORMAL',
  used: true,
  applied: true,
  totalRemainingQuantity: 3,
};

export const SEED_LIST_PACKAGES_RESPONSE = { packages: [SEED_PACKAGE], nextPageToken: '' };

export const SEED_LIST_PACKAGE_DETAILS_REQUEST = {
  pagination: { pageSize: 20, pageToken: '1' },
  companyId: 'cmp_001',
  packageIds: ['pkg_abc123'],
};

export const SEED_LIST_PACKAGE_DETAILS_RESPONSE = {
  packageDetails: [
    {
      packageInfo: SEED_PACKAGE,
      packageServices: [
        {
          id: 'ps_001',
          packageId: 'pkg_abc123',
          services: [{ serviceId: 'srv_001', unitPrice: { currencyCode: 'USD', units: 30, nanos: 0 }, name: 'Basic Grooming' }],
          totalQuantity: 5,
          remainingQuantity: 3,
        },
      ],
    },
  ],
  nextPageToken: '',
};
