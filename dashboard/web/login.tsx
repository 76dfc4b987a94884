// Login page: paste a bearer token (ServiceAccount or kubeconfig token); the daemon validates it
// with a SelfSubjectReview as that token and sets the session cookie.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { daemon, errorMessage } from './api.js';
import { user, type User } from './store.js';

export function Login(): JSX.Element {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await daemon<{ user: User }>('/api/login', 'POST', { token: token.trim() });
      user.set(r.user);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form onSubmit={submit}>
        <h1>tskube dashboard</h1>
        <p>Sign in with a bearer token: a ServiceAccount token (<code>kc create token NAME</code>) or your kubeconfig's token. You see and do what RBAC allows that user.</p>
        <textarea data-testid="login-token" rows={5} placeholder="eyJhbGciOi…" value={token}
          onInput={(e) => setToken(e.currentTarget.value)} autoFocus spellcheck={false} />
        {error && <div class="error" data-testid="error-message">{error}</div>}
        <button data-testid="login-submit" class="primary" type="submit" disabled={busy || !token.trim()}>Sign in</button>
      </form>
    </main>
  );
}
