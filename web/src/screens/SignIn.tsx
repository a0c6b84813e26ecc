// Sign in with an API key: the key is checked with GET /v1/me and kept for this tab only.
import { useState, type FormEvent } from 'react';
import { ApiError, whoIs } from '../api/client';
import type { Me } from '../api/types';
import { ErrorNotice } from '../components/ui';

export function SignIn({ onSignedIn, notice }: { onSignedIn: (key: string, me: Me) => void; notice?: string }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed || busy) return;
    setBusy(true);
    setError(null);
    try {
      const me = await whoIs(trimmed);
      if (me.role === 'MASTER' || !me.companyId) {
        setError(new ApiError(403, 'PERMISSION_DENIED', 'This is the platform master key. Sign in with a key of a company (ADMIN, STAFF or VIEWER).'));
        return;
      }
      onSignedIn(trimmed, me);
    } catch (e) {
      const err = ApiError.from(e);
      setError(err.status === 401 ? new ApiError(401, err.code, 'That key was not accepted: it is unknown or has been revoked.') : err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin" id="main">
      <form className="card signin-card" onSubmit={submit} aria-labelledby="signin-title">
        <div className="brand brand-large" aria-hidden="true">
          <span className="brand-mark" /> Punchcard
        </div>
        <h1 id="signin-title">Sign in to the front desk</h1>
        {notice && (
          <p className="notice notice-info" role="status">
            {notice}
          </p>
        )}
        <div className="field">
          <label htmlFor="api-key">API key</label>
          <input
            id="api-key"
            type="password"
            autoComplete="off"
            spellCheck={false}
            autoFocus
            value={key}
            onChange={(e) => setKey(e.target.value)}
            aria-describedby="api-key-hint"
            required
          />
          <div className="hint" id="api-key-hint">
            Kept in this tab only: closing it signs you out.
          </div>
        </div>
        <ErrorNotice error={error} />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy || !key.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
