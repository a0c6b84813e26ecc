// A screen loaded on demand (a separate chunk) whose loading can fail: the server unreachable, or a deploy
// that changed the chunks' names. The failure shows an error with a retry instead of blanking the app.
import { Component, lazy, Suspense, useState, type ComponentType, type ReactNode } from 'react';
import { Loading } from './ui';

class ChunkBoundary extends Component<{ onRetry: () => void; what: string; children: ReactNode }, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  render() {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="notice notice-error" role="alert">
        <div>
          <strong>Could not load the {this.props.what}.</strong> The server may be unreachable, or the app was updated since this page was opened. Check the connection and try again.
        </div>
        <div className="notice-actions">
          <button
            type="button"
            className="btn btn-small"
            onClick={() => {
              this.setState({ failed: false });
              this.props.onRetry();
            }}
          >
            Try again
          </button>
          <button type="button" className="btn btn-small btn-ghost" onClick={() => window.location.reload()}>
            Reload the app
          </button>
        </div>
      </div>
    );
  }
}

/**
 * A lazily loaded component with an error boundary and a retry. React.lazy keeps a failed load for good, so
 * each retry makes a new lazy component over a fresh import.
 */
export function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>, what: string): ComponentType<P> {
  const make = () => lazy(() => load().then((c) => ({ default: c })));
  let current = make();
  return function LazyScreen(props: P) {
    const [, setAttempt] = useState(0);
    const Screen = current;
    return (
      <ChunkBoundary
        what={what}
        onRetry={() => {
          current = make();
          setAttempt((n) => n + 1);
        }}
      >
        <Suspense fallback={<Loading label={`Loading the ${what}…`} />}>
          <Screen {...props} />
        </Suspense>
      </ChunkBoundary>
    );
  };
}
