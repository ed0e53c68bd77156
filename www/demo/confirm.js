// The confirmation <dialog>: says what an action does, runs it on "OK" and closes when it
// succeeded; a failure stays in the dialog, in words with its code.
import { $ } from './render.js';
import { errorText } from './format.js';

const confirmDialog = $('confirm-dialog');
let confirmAction = null;
let finalCodes = [2500];
let focusAfter = null;

function say(text) {
  $('confirm-error').textContent = text;
}

/**
 * Opens the dialog; `action` is an async function whose rejection is shown in it. `final`: the
 * error codes after which trying again cannot help (only "Close" then); `returnFocus`: where the
 * keyboard focus goes when the control that opened the dialog is gone after it.
 */
export function ask({ title, text, ok, action, final = [2500], returnFocus = null }) {
  finalCodes = final;
  focusAfter = returnFocus;
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  $('confirm-ok').textContent = ok;
  say('');
  for (const b of confirmDialog.querySelectorAll('button')) b.disabled = false;
  $('confirm-ok').hidden = false;
  $('confirm-cancel').textContent = 'Cancel';
  confirmAction = action;
  confirmDialog.returnValue = '';
  confirmDialog.showModal(); // the focus goes to Cancel (autofocus): the safe choice
}

$('confirm-form').addEventListener('submit', async (ev) => {
  if (ev.submitter && ev.submitter.value !== 'ok') return; // Cancel closes (method=dialog)
  ev.preventDefault();
  const action = confirmAction;
  if (!action) return;
  const buttons = confirmDialog.querySelectorAll('button');
  for (const b of buttons) b.disabled = true;
  $('confirm-ok').textContent = 'Working…';
  try {
    await action();
    confirmDialog.close('ok');
  } catch (e) {
    say(errorText(e));
    for (const b of buttons) b.disabled = false;
    const gone = !!e && finalCodes.includes(e.code); // nothing left to do: trying again cannot help
    $('confirm-ok').textContent = 'Try again';
    $('confirm-ok').hidden = gone;
    $('confirm-cancel').textContent = gone ? 'Close' : 'Cancel';
  }
});
// While the call is in flight, Escape does not close the dialog: its outcome is shown in it.
confirmDialog.addEventListener('cancel', (ev) => {
  if ($('confirm-ok').disabled) ev.preventDefault();
});
confirmDialog.addEventListener('close', () => {
  confirmAction = null;
  // The browser gives the focus back to the opener; when that control was re-rendered away, here.
  setTimeout(() => {
    if (focusAfter && (!document.activeElement || document.activeElement === document.body) && focusAfter.isConnected) focusAfter.focus();
    focusAfter = null;
  });
});
