// The session slice: who is signed in, their workspaces, and which one is shown.

import { createSlice } from './slice.js';

const WORKSPACE_KEY = 'ocomms.workspace';

/**
 * @param deps.api the REST client (`rest.workspaces`, `currentSession`)
 * @param deps.storage localStorage or alike: the chosen workspace is remembered
 */
export function createSession({ api, storage }) {
  const slice = createSlice('session', {
    session: api.currentSession(), // {user, accessToken, ...} or null
    workspaces: [],
    workspaceId: storage.getItem(WORKSPACE_KEY),
  });

  /** The signed-in user's id, or undefined. */
  const me = () => slice.state.session?.user.id;

  /** Fetches the user's workspaces; keeps the chosen one if it is still there, else the first. */
  async function loadWorkspaces() {
    const { workspaces } = await api.rest.workspaces();
    const current = slice.state.workspaceId;
    const workspaceId = workspaces.some(ws => ws.id === current) ? current : workspaces[0]?.id || null;
    slice.set({ workspaces, workspaceId });
    return workspaceId;
  }

  function chooseWorkspace(workspaceId) {
    storage.setItem(WORKSPACE_KEY, workspaceId);
    slice.set({ workspaceId });
  }

  /** For a chat of a workspace the client has not heard of (just joined elsewhere). */
  async function ensureWorkspace(workspaceId) {
    if (!slice.state.workspaces.some(ws => ws.id === workspaceId)) {
      await loadWorkspaces();
    }
  }

  function setSession(session) {
    slice.set({ session });
  }

  function signedOut() {
    slice.set({ session: null, workspaces: [] });
  }

  return { slice, me, loadWorkspaces, chooseWorkspace, ensureWorkspace, setSession, signedOut };
}
