// Issue 16, the server side of image messages from a real browser: a Blob uploaded with
// XMLHttpRequest (progress events, no multipart) to POST /v1/files, sent as {type:"image",
// fileID} over the socket, shown by <img src> with the login's file ticket to the peer, and 404
// for the peer once they delete the conversation, while the sender still sees it. The SDK
// receives the message sent over the raw socket as an image message linking the same upload
// (tests/e2e/file-messages.test.mjs sends them with the SDK itself).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser } from './harness.mjs';
import { rawJobs } from './rawws.mjs';

const env = useEnv(before, after);

// A real 1x1 PNG, so that the browser decodes it.
const PNG_B64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** Uploads the PNG from `page` as `userID`; resolves { status, body, progress }. */
function uploadFrom(page, server, userID, conversationID) {
  return page.evaluate(
    ([b64, app, user, sig, conv]) =>
      new Promise((resolve) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const blob = new Blob([bytes], { type: 'image/png' });
        const xhr = new XMLHttpRequest();
        const progress = [];
        const q = new URLSearchParams({ sdkappid: app, userID: user, conversationID: conv, kind: 'image', fileName: 'dot.png' });
        xhr.open('POST', `/v1/files?${q}`);
        xhr.setRequestHeader('Authorization', `UserSig ${sig}`);
        xhr.upload.onprogress = (e) => progress.push([e.loaded, e.total]);
        xhr.onload = () => resolve({ status: xhr.status, body: JSON.parse(xhr.responseText), progress });
        xhr.onerror = () => resolve({ status: 0, body: null, progress });
        xhr.send(blob);
      }),
    [PNG_B64, server.sdkAppID, userID, server.sig(userID), conversationID],
  );
}

/** Whether `page` can show the image at `src`: its natural width, or 0 when it fails. */
const imageWidth = (page, src) =>
  page.evaluate(
    (url) =>
      new Promise((resolve) => {
        const img = new Image();
        img.onload = () => resolve(img.naturalWidth);
        img.onerror = () => resolve(0);
        img.src = url;
      }),
    src,
  );

describe('image uploads from a browser', () => {
  it('goes up with progress, reaches the peer, and stops being theirs when they delete', async () => {
    const bob = await openUser(env.browser, env.server, 'fi_bob');
    await bob.login();
    const alicePage = await openUser(env.browser, env.server, 'fi_alice');

    const up = await uploadFrom(alicePage.page, env.server, 'fi_alice', 'C2Cfi_bob');
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.equal(up.body.code, 0);
    const d = up.body.data;
    assert.deepEqual(
      [d.kind, d.contentType, d.fileName, d.width, d.height, d.imageFormat],
      ['image', 'image/png', 'dot.png', 1, 1, 3],
    );
    assert.ok(up.progress.length > 0 && up.progress.at(-1)[0] === d.fileSize, JSON.stringify(up.progress));
    // The uploader's own URL works before sending (a preview).
    assert.equal(await imageWidth(alicePage.page, d.url), 1);

    const received = bob.nextEvent('onMessageReceived');
    const sig = (u) => env.server.sig(u);
    const [aliceAnswers, bobAnswers] = await rawJobs(alicePage.page, env.server.wsURL, env.server.sdkAppID, [
      {
        userID: 'fi_alice',
        userSig: sig('fi_alice'),
        requests: [{ op: 'sendMessage', args: { conversationID: 'C2Cfi_bob', ID: 'img-1', body: { type: 'image', fileID: d.fileID } } }],
      },
      { userID: 'fi_bob', userSig: sig('fi_bob'), requests: [] },
    ]);
    const sent = aliceAnswers[1];
    assert.equal(sent.kind, 'sent', JSON.stringify(sent));
    assert.deepEqual(sent.value.message.body, { type: 'image', fileID: d.fileID, fileSize: d.fileSize, imageFormat: 3, width: 1, height: 1 });
    const aliceQuery = aliceAnswers[0].value.fileQuery;
    const bobQuery = bobAnswers[0].value.fileQuery;
    assert.match(bobQuery, /^sdkappid=\d+&userID=fi_bob&expires=\d+&ticket=[\w-]+$/);

    // The SDK shows it as an image message with bob's link to it, and text still flows.
    const [message] = (await received).data;
    assert.deepEqual([message.type, message.payload.uuid, message.ID], ['TIMImageElem', d.fileID, 'img-1']);
    // Bob's link: his own ticket (his SDK session's, made with another UserSig than the raw one's).
    const link = message.payload.imageInfoArray[0].url;
    assert.ok(link.startsWith(`${env.server.url}/v1/files/${d.fileID}?`), link);
    assert.match(link, /[?&]userID=fi_bob&/);
    assert.equal(await imageWidth(bob.page, link), 1);
    await bob.send('fi_alice', 'nice');
    const history = (await bob.messages('C2Cfi_alice')).messageList;
    assert.deepEqual(history.map((m) => m.type), ['TIMImageElem', 'TIMTextElem']);
    assert.equal(history[1].payload.text, 'nice');

    const src = (q) => `/v1/files/${d.fileID}?${q}`;
    assert.equal(await imageWidth(bob.page, src(bobQuery)), 1);
    // Bob deletes the conversation: his link is dead, Alice's is not. (A page keeps images it
    // already decoded in memory by URL, whatever the HTTP cache says: a fresh URL asks again.)
    await bob.ok('deleteConversation', 'C2Cfi_alice');
    assert.equal(await imageWidth(bob.page, `${src(bobQuery)}&again=1`), 0);
    const status = await bob.page.evaluate(async (u) => (await fetch(u, { cache: 'no-store' })).status, src(bobQuery));
    assert.equal(status, 404);
    assert.equal(await imageWidth(alicePage.page, `${src(aliceQuery)}&again=1`), 1);
    for (const u of [bob, alicePage]) await u.close();
  });
});
