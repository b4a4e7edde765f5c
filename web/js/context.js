// What every screen may need from the app: the signed-in user, company settings, and a few
// actions. Provided once by the shell (app.js).
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export const AppContext = createContext(null);
export function useApp() { return useContext(AppContext); }

// Does this user have the capability? "*" grants everything; a null capability is open to all.
export function can(user, capability) {
  if (!capability) return true;
  const caps = (user && user.capabilities) || [];
  return caps.includes('*') || caps.includes(capability);
}
