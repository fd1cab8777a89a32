import { useEffect, useReducer } from 'preact/hooks';
import { subscribe } from '../store.js';

/** Re-renders the component whenever the store changes. */
export function useStore() {
  const [, force] = useReducer(n => n + 1, 0);
  useEffect(() => subscribe(force), []);
}

/** Calls `handler` on Escape while the component is mounted. */
export function useEscape(handler) {
  useEffect(() => {
    const onKey = event => {
      if (event.key === 'Escape') {
        handler(event);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [handler]);
}
