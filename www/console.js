// The tim-wasm console: log in with an app's SDKAppID and secret key, see and switch the app's
// settings. Plain ES module, no build step. It trades the secret key for an admin UserSig at
// POST /api/console/login, then calls the admin REST API (POST /v4/tim_wasm_app/...) with it,
// exactly as a backend would. Element ids are stable: browser tests use them.

const $ = (id) => document.getElementById(id);

/** The logged-in admin: { sdkAppID, identifier, userSig } or null. */
let admin = null;
/** The last state the server confirmed, so a failed change can be shown undone. */
let savedSync = null;

function showError(text) {
  const box = $('console-error');
  box.textContent = text;
  box.hidden = !text;
}

function errorText(what, code, message) {
  return `${what} failed: error ${code}: ${message}`;
}

/** POST /v4/<api> as the admin; resolves to the answer when ActionStatus is OK. */
async function adminCall(api, body) {
  const query = new URLSearchParams({
    sdkappid: String(admin.sdkAppID),
    identifier: admin.identifier,
    usersig: admin.userSig,
    random: String(Math.floor(Math.random() * 4294967296)),
    contenttype: 'json',
  });
  const response = await fetch(`/v4/${api}?${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (answer.ActionStatus !== 'OK') {
    const err = new Error(answer.ErrorInfo || 'request failed');
    err.code = answer.ErrorCode;
    throw err;
  }
  return answer;
}

function showSync(on) {
  savedSync = on;
  const toggle = $('console-sync-toggle');
  toggle.checked = on;
  toggle.disabled = false;
  toggle.setAttribute('aria-checked', String(on));
  const state = $('console-sync-state');
  state.textContent = on ? 'on' : 'off';
  state.dataset.state = on ? 'on' : 'off';
}

function showLoggedIn(loggedIn) {
  $('console-login-panel').hidden = loggedIn;
  $('console-app').hidden = !loggedIn;
}

/** An expired or refused admin UserSig: back to the login form. */
function handleAuthError(e) {
  if ([70001, 70003, 70013, 70014, 70020, 50003].includes(e.code)) {
    admin = null;
    showLoggedIn(false);
    showError(errorText('The console session', e.code, `${e.message}. Log in again.`));
    return true;
  }
  return false;
}

/** The revoke time limit as saved (the field shows it again after a refused change). */
function showRevokeLimit(seconds) {
  const field = $('console-revoke-limit');
  field.value = String(seconds);
  field.disabled = false;
  $('console-revoke-save').disabled = false;
  const state = $('console-revoke-state');
  state.textContent = `${seconds} s`;
  state.dataset.state = 'saved';
  state.dataset.seconds = String(seconds);
}

async function loadSettings() {
  const answer = await adminCall('tim_wasm_app/get_settings', {});
  showSync(answer.Settings.SyncConversationDeletion === true);
  showRevokeLimit(answer.Settings.RevokeTimeLimit);
}

async function onRevokeSave(event) {
  event.preventDefault();
  const field = $('console-revoke-limit');
  const state = $('console-revoke-state');
  const raw = field.value.trim();
  showError('');
  // The server checks it too; this only keeps "1e3" or "" from being sent as something else.
  const seconds = /^\d+$/.test(raw) ? Number(raw) : raw;
  $('console-revoke-save').disabled = true;
  state.dataset.state = 'saving';
  try {
    const answer = await adminCall('tim_wasm_app/set_settings', { RevokeTimeLimit: seconds });
    showRevokeLimit(answer.Settings.RevokeTimeLimit);
  } catch (e) {
    if (handleAuthError(e)) return;
    showError(errorText('Saving the revoke time limit', e.code ?? 'network', e.message));
    if (state.dataset.seconds) showRevokeLimit(Number(state.dataset.seconds));
  }
}

async function onLogin(event) {
  event.preventDefault();
  showError('');
  const button = $('console-login');
  button.disabled = true;
  try {
    const raw = $('console-sdkappid').value.trim();
    const response = await fetch('/api/console/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ SDKAppID: /^\d+$/.test(raw) ? Number(raw) : raw, secretKey: $('console-secret').value }),
    });
    const answer = await response.json().catch(() => ({ code: response.status, message: response.statusText }));
    if (!response.ok) {
      showError(errorText('Login', answer.code, answer.message));
      return;
    }
    admin = { sdkAppID: answer.SDKAppID, identifier: answer.identifier, userSig: answer.userSig };
    $('console-secret').value = '';
    $('console-app-id').textContent = String(admin.sdkAppID);
    $('console-admin').textContent = admin.identifier;
    $('console-sync-state').textContent = '…';
    $('console-sync-state').dataset.state = 'unknown';
    $('console-sync-toggle').disabled = true;
    showLoggedIn(true);
    await loadSettings();
  } catch (e) {
    if (!handleAuthError(e)) showError(errorText('Login', e.code ?? 'network', e.message));
  } finally {
    button.disabled = false;
  }
}

async function onToggle() {
  const toggle = $('console-sync-toggle');
  const wanted = toggle.checked;
  toggle.disabled = true;
  $('console-sync-state').dataset.state = 'saving';
  showError('');
  try {
    const answer = await adminCall('tim_wasm_app/set_settings', { SyncConversationDeletion: wanted });
    showSync(answer.Settings.SyncConversationDeletion === true);
  } catch (e) {
    if (handleAuthError(e)) return;
    showError(errorText('Saving the setting', e.code ?? 'network', e.message));
    // Show what is really saved, not what was asked for.
    if (savedSync !== null) showSync(savedSync);
  }
}

function onLogout() {
  admin = null;
  savedSync = null;
  showError('');
  showLoggedIn(false);
}

$('console-login-form').addEventListener('submit', onLogin);
$('console-sync-toggle').addEventListener('change', onToggle);
$('console-revoke-form').addEventListener('submit', onRevokeSave);
$('console-logout').addEventListener('click', onLogout);
// ?sdkappid=N fills the SDKAppID field.
const preset = new URLSearchParams(location.search).get('sdkappid');
if (preset) $('console-sdkappid').value = preset;
