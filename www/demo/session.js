// Staying logged in across reloads: the userID and (for this demo only) its test UserSig in
// localStorage. A real app keeps its own session with its backend and asks it for a UserSig; it
// never gets one from a public endpoint like /api/demo/usersig.

const KEY = 'tim-demo:session';

/** { SDKAppID, userID, userSig } remembered by the last login, or null. */
export function remembered() {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) || 'null');
    if (s && typeof s.userID === 'string' && typeof s.userSig === 'string' && Number.isInteger(s.SDKAppID)) return s;
  } catch {
    // unreadable: treated as none
  }
  return null;
}

export function remember(session) {
  localStorage.setItem(KEY, JSON.stringify(session));
}

export function forget() {
  localStorage.removeItem(KEY);
}

/** A test UserSig for the demo app from the server (`tim-server serve --demo`). */
export async function demoUserSig(userID) {
  let res;
  try {
    res = await fetch(`/api/demo/usersig?userID=${encodeURIComponent(userID)}`);
  } catch {
    throw new Error('The server cannot be reached to get a login ticket; try again when it is back');
  }
  if (!res.ok) {
    let detail = '';
    try {
      const body = await res.json();
      detail = body.message || body.ErrorInfo || JSON.stringify(body);
    } catch {
      detail = `HTTP ${res.status}`;
    }
    throw new Error(`The server refused a login ticket for “${userID}”: ${detail}`);
  }
  const { SDKAppID, userSig } = await res.json();
  return { SDKAppID, userID, userSig };
}
