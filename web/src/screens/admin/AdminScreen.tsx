// Admin (ADMIN keys): the company's API keys and its webhook endpoints, under a small sub-navigation.
import { Link, paths } from '../../lib/router';
import { ApiKeysPanel } from './ApiKeys';
import { WebhookEndpointPanel } from './WebhookEndpoint';
import { WebhooksPanel } from './Webhooks';
import './admin.css';

export function AdminScreen({ section, endpointId }: { section: 'keys' | 'webhooks'; endpointId?: string }) {
  const sections = [
    { id: 'keys', label: 'API keys', to: paths.apiKeys() },
    { id: 'webhooks', label: 'Webhooks', to: paths.webhooks() },
  ] as const;
  return (
    <div className="admin">
      <h1>Admin</h1>
      <nav aria-label="Admin" className="admin-nav">
        {sections.map((s) => (
          <Link key={s.id} to={s.to} className="admin-navlink" aria-current={section === s.id ? 'page' : undefined}>
            {s.label}
          </Link>
        ))}
      </nav>
      <div className="card admin-body">
        {section === 'keys' ? <ApiKeysPanel /> : endpointId ? <WebhookEndpointPanel key={endpointId} endpointId={endpointId} /> : <WebhooksPanel />}
      </div>
    </div>
  );
}
