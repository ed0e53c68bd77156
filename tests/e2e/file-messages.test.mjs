// Issue 16, image and file messages through the SDK (createImageMessage / createFileMessage,
// sendMessage uploading first with onProgress), in headless Chromium against a real server: a
// real PNG drawn in the page and a file from an <input type=file> reach the peer as
// TIM.TYPES.MSG_IMAGE / MSG_FILE whose URLs fetch the very bytes sent; a user who is not in the
// conversation gets 404 with their own ticket; an upload over the server's limit rejects
// sendMessage with 2253 and leaves the message 'fail'ed, and resendMessage sends it once the
// server takes images that big (a send refused after its upload resends the same upload); after
// the sender deletes the conversation her history no longer links the files and her old links
// are 404, while the peer's still work; in a group each member gets their own links, and a member
// who quits gets 404.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, launchBrowser, openUser, until } from './harness.mjs';

const IMAGE_LIMIT = 20_000;
let server;
let browser;

before(async () => {
  server = await new Server({ args: ['--max-image-bytes', String(IMAGE_LIMIT)] }).start();
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
  if (server) await server.dispose();
});

/** Page helpers: PNGs drawn on a canvas, sending with the progress recorded, fetching a URL. */
async function installHelpers(user) {
  await user.page.evaluate(() => {
    window.__msgs = {};
    window.__progress = {};
    // A PNG of w x h pixels: one colour, or random noise (which does not compress: big).
    window.__png = (w, h, noise) =>
      new Promise((resolve) => {
        const c = document.createElement('canvas');
        c.width = w;
        c.height = h;
        const ctx = c.getContext('2d');
        const img = ctx.createImageData(w, h);
        for (let i = 0; i < img.data.length; i += 4) {
          img.data.set(noise ? [Math.random() * 256, Math.random() * 256, Math.random() * 256, 255] : [200, 40, 90, 255], i);
        }
        ctx.putImageData(img, 0, 0);
        c.toBlob((b) => resolve(new File([b], 'drawn.png', { type: 'image/png' })), 'image/png');
      });
    window.__b64 = async (blob) => {
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let s = '';
      for (const b of bytes) s += String.fromCharCode(b);
      return btoa(s);
    };
    // Creates (createImageMessage / createFileMessage) and sends; the message stays in __msgs[key].
    window.__sendUpload = async (key, create, to, file, { viaInput = false, group = false } = {}) => {
      const progress = [];
      window.__progress[key] = progress;
      let payloadFile = file;
      if (viaInput) {
        const input = document.createElement('input');
        input.type = 'file';
        const dt = new DataTransfer();
        dt.items.add(file);
        input.files = dt.files;
        payloadFile = input;
      }
      let msg;
      try {
        msg = window.tim[create]({
          to,
          conversationType: group ? window.TIM.TYPES.CONV_GROUP : window.TIM.TYPES.CONV_C2C,
          payload: { file: payloadFile },
          onProgress: (p) => progress.push(p),
        });
      } catch (e) {
        return { ...window.__errorInfo(e), threw: true };
      }
      window.__msgs[key] = msg;
      const created = JSON.parse(JSON.stringify(msg));
      const bytes = await window.__b64(file);
      try {
        const r = await window.tim.sendMessage(msg);
        return { ok: true, created, progress, bytes, sent: JSON.parse(JSON.stringify(r.data.message)), inPlace: JSON.parse(JSON.stringify(msg)) };
      } catch (e) {
        return { ...window.__errorInfo(e), created, progress, bytes, status: msg.status };
      }
    };
    window.__resend = async (key) => {
      const progress = window.__progress[key] || [];
      const before = progress.length;
      try {
        const r = await window.tim.resendMessage(window.__msgs[key]);
        return { ok: true, sent: JSON.parse(JSON.stringify(r.data.message)), status: window.__msgs[key].status, progressCalls: progress.length - before };
      } catch (e) {
        return { ...window.__errorInfo(e), progressCalls: progress.length - before };
      }
    };
    window.__fetch = async (url) => {
      const r = await fetch(url, { cache: 'no-store' });
      const blob = await r.blob();
      return { status: r.status, bytes: r.ok ? await window.__b64(blob) : null, text: r.ok ? null : await blob.text() };
    };
    window.__imageWidth = (url) =>
      new Promise((resolve) => {
        const img = new Image();
        img.onload = () => resolve(img.naturalWidth);
        img.onerror = () => resolve(0);
        img.src = url;
      });
  });
}

async function ready(userID) {
  const u = await openUser(browser, server, userID);
  await u.login();
  await installHelpers(u);
  return u;
}

const fileOf = (user, text, name) =>
  user.page.evaluateHandle(([t, n]) => new File([t], n, { type: 'text/plain' }), [text, name]);

describe('image and file messages', () => {
  it('an image and a file reach the peer with links to the same bytes, for members only, until the sender deletes', async () => {
    const [alice, bob, eve] = [await ready('fm_alice'), await ready('fm_bob'), await ready('fm_eve')];
    const TYPES = await alice.page.evaluate(() => ({ image: window.TIM.TYPES.MSG_IMAGE, file: window.TIM.TYPES.MSG_FILE }));
    assert.deepEqual(TYPES, { image: 'TIMImageElem', file: 'TIMFileElem' });

    // The image: a 4 x 3 PNG drawn in alice's page.
    const gotImage = bob.nextEvent('onMessageReceived', (d) => d.some((m) => m.type === 'TIMImageElem'));
    const img = await alice.page.evaluate(async () => window.__sendUpload('img', 'createImageMessage', 'fm_bob', await window.__png(4, 3, false)));
    assert.ok(img.ok, JSON.stringify(img));
    assert.deepEqual([img.created.type, img.created.status, img.created.payload.uuid], ['TIMImageElem', 'unSend', '']);
    assert.ok(img.progress.length > 0, 'onProgress was called');
    assert.equal(img.progress.at(-1), 1, `progress ends at 1: ${img.progress}`);
    assert.ok(img.progress.every((p, i) => p >= 0 && p <= 1 && (i === 0 || p >= img.progress[i - 1])), `progress rises within 0..1: ${img.progress}`);
    const sentPayload = img.sent.payload;
    assert.equal(img.sent.type, 'TIMImageElem');
    assert.equal(img.sent.status, 'success');
    assert.match(sentPayload.uuid, /^[0-9a-f]{32}$/);
    assert.equal(sentPayload.imageFormat, 3);
    assert.deepEqual(sentPayload.imageInfoArray.map((i) => [i.type, i.width, i.height]), [[0, 4, 3], [1, 4, 3], [2, 4, 3]]);
    // The object given to sendMessage was updated in place, links included.
    assert.deepEqual([img.inPlace.status, img.inPlace.payload], ['success', sentPayload]);
    const aliceImageURL = sentPayload.imageInfoArray[0].url;
    assert.ok(aliceImageURL.startsWith(`${server.url}/v1/files/${sentPayload.uuid}?`), aliceImageURL);
    assert.match(aliceImageURL, /[?&]userID=fm_alice(&|$)/);

    const [bobImage] = (await gotImage).data;
    assert.deepEqual([bobImage.type, bobImage.flow, bobImage.ID, bobImage.payload.uuid], ['TIMImageElem', 'in', img.sent.ID, sentPayload.uuid]);
    const bobImageURL = bobImage.payload.imageInfoArray[0].url;
    assert.match(bobImageURL, /[?&]userID=fm_bob(&|$)/);
    assert.equal(bobImage.payload.imageInfoArray[0].size, Buffer.from(img.bytes, 'base64').length);
    const bobGets = await bob.page.evaluate((u) => window.__fetch(u), bobImageURL);
    assert.equal(bobGets.status, 200);
    assert.equal(bobGets.bytes, img.bytes, 'bob fetches the very PNG alice drew');
    assert.equal(await bob.page.evaluate((u) => window.__imageWidth(u), bobImageURL), 4);

    // The file: chosen in an <input type=file>.
    const gotFile = bob.nextEvent('onMessageReceived', (d) => d.some((m) => m.type === 'TIMFileElem'));
    const notes = await fileOf(alice, 'hello, these are the notes\n', 'notes.txt');
    const file = await alice.page.evaluate((f) => window.__sendUpload('file', 'createFileMessage', 'fm_bob', f, { viaInput: true }), notes);
    assert.ok(file.ok, JSON.stringify(file));
    assert.deepEqual(
      [file.created.type, file.created.payload.fileName, file.created.payload.fileSize, file.created.payload.fileUrl],
      ['TIMFileElem', 'notes.txt', 27, ''],
    );
    assert.equal(file.progress.at(-1), 1);
    const [bobFile] = (await gotFile).data;
    assert.equal(bobFile.type, 'TIMFileElem');
    const { fileUrl, ...rest } = bobFile.payload;
    assert.deepEqual(rest, { uuid: file.sent.payload.uuid, fileName: 'notes.txt', fileSize: 27, downloadFlag: 2 });
    const fileGets = await bob.page.evaluate((u) => window.__fetch(u), fileUrl);
    assert.equal(fileGets.status, 200);
    assert.equal(Buffer.from(fileGets.bytes, 'base64').toString(), 'hello, these are the notes\n');

    // History and the list carry them too, with bob's links.
    const history = (await bob.messages('C2Cfm_alice')).messageList;
    assert.deepEqual(history.map((m) => m.type), ['TIMImageElem', 'TIMFileElem']);
    assert.equal(history[0].payload.imageInfoArray[2].url, bobImageURL);
    assert.equal(history[1].payload.fileUrl, fileUrl);
    const conv = (await bob.conversationList()).find((c) => c.conversationID === 'C2Cfm_alice');
    assert.equal(conv.lastMessage.messageForShow, '[File]');
    assert.equal(conv.lastMessage.type, 'TIMFileElem');

    // eve is not in the conversation: with her own ticket (from her own upload's link) the
    // files are 404; without any ticket, 401.
    const eveFile = await fileOf(eve, 'eve', 'eve.txt');
    const eveSent = await eve.page.evaluate((f) => window.__sendUpload('e', 'createFileMessage', 'fm_alice', f), eveFile);
    assert.ok(eveSent.ok, JSON.stringify(eveSent));
    const eveQuery = eveSent.sent.payload.fileUrl.split('?')[1];
    assert.match(eveQuery, /userID=fm_eve/);
    for (const id of [sentPayload.uuid, file.sent.payload.uuid]) {
      const r = await eve.page.evaluate((u) => window.__fetch(u), `${server.url}/v1/files/${id}?${eveQuery}`);
      assert.equal(r.status, 404, `eve fetching ${id}`);
      assert.equal(JSON.parse(r.text).code, 60032);
      const bare = await eve.page.evaluate((u) => window.__fetch(u), `${server.url}/v1/files/${id}`);
      assert.equal(bare.status, 401);
    }

    // alice deletes the conversation: her history no longer links the files, her links are
    // dead; bob's still work.
    await alice.ok('deleteConversation', 'C2Cfm_bob');
    const after = await alice.messages('C2Cfm_bob');
    assert.deepEqual(after.messageList, []);
    assert.equal((await alice.page.evaluate((u) => window.__fetch(u), aliceImageURL)).status, 404);
    assert.equal((await alice.page.evaluate((u) => window.__fetch(u), file.sent.payload.fileUrl)).status, 404);
    assert.equal((await bob.page.evaluate((u) => window.__fetch(u), bobImageURL)).status, 200);
    for (const u of [alice, bob, eve]) await u.close();
  });

  it('an upload over the limit rejects with 2253, leaves the message failed, and resendMessage sends it once the server takes it', async () => {
    const [alice, bob] = [await ready('fm2_alice'), await ready('fm2_bob')];
    const big = await alice.page.evaluate(async () => {
      const f = await window.__png(96, 96, true);
      window.__big = f;
      return f.size;
    });
    assert.ok(big > IMAGE_LIMIT, `the noise PNG is over the limit: ${big}`);
    const r = await alice.page.evaluate(() => window.__sendUpload('big', 'createImageMessage', 'fm2_bob', window.__big));
    assert.equal(r.ok, false, JSON.stringify(r));
    assert.equal(r.code, 2253, r.message);
    assert.equal(r.isError, true);
    assert.equal(r.status, 'fail', 'the message is failed');
    // Nothing was sent.
    assert.deepEqual((await bob.conversationList()).map((c) => c.conversationID), []);

    // The cause goes: the server now takes images that big. The SDK reconnects by itself.
    server.extraArgs = ['--max-image-bytes', String(10 * IMAGE_LIMIT)];
    await server.restart();
    await until(() => alice.events.filter((e) => e.name === 'netStateChange').at(-1)?.data.state === 'connected', 'alice reconnected', { timeout: 20_000 });
    await until(() => bob.events.filter((e) => e.name === 'netStateChange').at(-1)?.data.state === 'connected', 'bob reconnected', { timeout: 20_000 });
    const got = bob.nextEvent('onMessageReceived', (d) => d.some((m) => m.type === 'TIMImageElem'));
    const again = await alice.page.evaluate(() => window.__resend('big'));
    assert.ok(again.ok, JSON.stringify(again));
    assert.equal(again.status, 'success');
    assert.ok(again.progressCalls > 0, 'uploaded again, with progress');
    const [m] = (await got).data;
    assert.equal(m.ID, again.sent.ID);
    assert.equal(m.payload.imageInfoArray[0].width, 96);
    const bytes = await bob.page.evaluate((u) => window.__fetch(u), m.payload.imageInfoArray[0].url);
    assert.equal(bytes.status, 200);
    assert.equal(Buffer.from(bytes.bytes, 'base64').length, big);
    // Sent once: bob's history holds it once.
    assert.equal((await bob.messages('C2Cfm2_alice')).messageList.length, 1);
    for (const u of [alice, bob]) await u.close();
  });

  it('a send refused after its upload went through: resendMessage sends the same upload, without uploading again', async () => {
    const [alice, bob] = [await ready('fm3_alice'), await ready('fm3_bob')];
    await bob.ok('addToBlacklist', { userIDList: ['fm3_alice'] });
    const notes = await fileOf(alice, 'blocked at first', 'first.txt');
    const r = await alice.page.evaluate((f) => window.__sendUpload('f', 'createFileMessage', 'fm3_bob', f), notes);
    assert.equal(r.ok, false, JSON.stringify(r));
    assert.equal(r.code, 20007, r.message);
    assert.equal(r.status, 'fail');
    assert.equal(r.progress.at(-1), 1, 'the upload itself went through');
    await bob.ok('removeFromBlacklist', { userIDList: ['fm3_alice'] });
    const got = bob.nextEvent('onMessageReceived', (d) => d.some((m) => m.type === 'TIMFileElem'));
    const again = await alice.page.evaluate(() => window.__resend('f'));
    assert.ok(again.ok, JSON.stringify(again));
    assert.equal(again.progressCalls, 0, 'not uploaded a second time');
    const [m] = (await got).data;
    assert.equal(m.payload.fileName, 'first.txt');
    const body = await bob.page.evaluate((u) => window.__fetch(u), m.payload.fileUrl);
    assert.equal(Buffer.from(body.bytes, 'base64').toString(), 'blocked at first');
    // A message object that did not come from this instance has no file here: 2100.
    const foreign = await alice.page.evaluate(async () => {
      const copy = { ...JSON.parse(JSON.stringify(window.__msgs.f)), ID: 'not-from-here', status: 'unSend', payload: { ...window.__msgs.f.payload, uuid: '' } };
      try {
        await window.tim.sendMessage(copy);
        return { ok: true };
      } catch (e) {
        return window.__errorInfo(e);
      }
    });
    assert.equal(foreign.code, 2100, JSON.stringify(foreign));
    for (const u of [alice, bob]) await u.close();
  });

  it('in a group: members get the image with their own links, a user who left gets 404', async () => {
    const [alice, bob, carl] = [await ready('fm4_alice'), await ready('fm4_bob'), await ready('fm4_carl')];
    await alice.ok('createGroup', { type: 'Public', name: 'Pics', groupID: 'fm4_pics' });
    await bob.ok('joinGroup', { groupID: 'fm4_pics' });
    await carl.ok('joinGroup', { groupID: 'fm4_pics' });
    const got = bob.nextEvent('onMessageReceived', (d) => d.some((m) => m.type === 'TIMImageElem'));
    const gotCarl = carl.nextEvent('onMessageReceived', (d) => d.some((m) => m.type === 'TIMImageElem'));
    const sent = await alice.page.evaluate(async () => window.__sendUpload('g', 'createImageMessage', 'fm4_pics', await window.__png(5, 5, false), { group: true }));
    assert.ok(sent.ok, JSON.stringify(sent));
    assert.equal(sent.sent.conversationID, 'GROUPfm4_pics');
    const [m] = (await got).data;
    assert.deepEqual([m.conversationID, m.type, m.payload.uuid], ['GROUPfm4_pics', 'TIMImageElem', sent.sent.payload.uuid]);
    const bobURL = m.payload.imageInfoArray[0].url;
    assert.match(bobURL, /[?&]userID=fm4_bob(&|$)/);
    assert.equal((await bob.page.evaluate((u) => window.__fetch(u), bobURL)).bytes, sent.bytes);
    const carlURL = (await gotCarl).data[0].payload.imageInfoArray[0].url;
    assert.equal((await carl.page.evaluate((u) => window.__fetch(u), carlURL)).status, 200);
    await carl.ok('quitGroup', 'fm4_pics');
    assert.equal((await carl.page.evaluate((u) => window.__fetch(u), carlURL)).status, 404, 'no longer a member');
    assert.equal((await bob.page.evaluate((u) => window.__fetch(u), bobURL)).status, 200);
    for (const u of [alice, bob, carl]) await u.close();
  });
});
