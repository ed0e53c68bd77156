// Issue 16: the links of image messages shown from the SDK's cache, before the server has answered
// the login. The page reloads while tim-server is down (an offline start, pages from the AppSite):
// the cached image message (getMessageList and the list's lastMessage) carries the file ticket the
// cache kept from the last login answer, and once the server is back and the login answered, that
// very URL fetches the image (200, the bytes sent). The ticket proves only who asks: another user
// with their own valid ticket gets 404, alice's ticket under another userID 401, no ticket 401.
// Logout forgets the kept ticket (it is a credential); the next login's answer keeps a new one.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, launchBrowser, openUser, until } from './harness.mjs';
import { EV } from './admin.mjs';
import { AppSite, openSiteUser, loginOnline, loginOffline, readCache } from './appsite.mjs';
import { rawJobs } from './rawws.mjs';

let browser, site, server, probe;
const contexts = [];
before(async () => {
  browser = await launchBrowser();
  site = await new AppSite().start();
  server = await new Server().start();
  probe = await openUser(browser, server, 'fc_probe');
});
after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  if (probe) await probe.close();
  if (browser) await browser.close();
  if (site) await site.close();
  if (server) await server.dispose();
});

async function open(userID) {
  const ctx = await browser.newContext();
  contexts.push(ctx);
  return openSiteUser(browser, site.forServer(server), userID, { context: ctx });
}

/** GET `url` from node (no page, no CORS): the status and the body's bytes. */
async function get(url) {
  const r = await fetch(url, { cache: 'no-store' });
  return { status: r.status, bytes: Buffer.from(await r.arrayBuffer()) };
}

const imageURL = (m) => m.payload.imageInfoArray[0].url;
const kept = (cache) => (cache?.meta || []).filter((v) => typeof v === 'string' && v.includes('ticket='));

describe('image links from the cache', () => {
  it('a cached image message shown before the login answer fetches once logged in; other users are refused', async () => {
    const alice = await open('fc_alice');
    const bob = await open('fc_bob');
    await loginOnline(alice);
    await loginOnline(bob);

    // bob sends alice a 5 x 2 PNG drawn in his page.
    const got = alice.nextEvent('onMessageReceived', (d) => d.some((m) => m.type === 'TIMImageElem'));
    const sent = await bob.page.evaluate(async () => {
      const c = document.createElement('canvas');
      c.width = 5;
      c.height = 2;
      c.getContext('2d').fillRect(0, 0, 5, 2);
      const blob = await new Promise((r) => c.toBlob(r, 'image/png'));
      const msg = window.tim.createImageMessage({
        to: 'fc_alice',
        conversationType: window.TIM.TYPES.CONV_C2C,
        payload: { file: new File([blob], 'dot.png', { type: 'image/png' }) },
      });
      const r = await window.tim.sendMessage(msg);
      const bytes = [...new Uint8Array(await blob.arrayBuffer())];
      return { message: JSON.parse(JSON.stringify(r.data.message)), bytes };
    });
    const png = Buffer.from(sent.bytes);
    await got;
    const live = (await alice.messages('C2Cfc_bob')).messageList;
    assert.deepEqual(live.map((m) => m.ID), [sent.message.ID]);
    assert.equal((await get(imageURL(live[0]))).status, 200, 'the live link works');
    // The message and the login answer's ticket are in the cache.
    await until(async () => {
      const c = await readCache(alice, server.sdkAppID);
      return c && c.messages.some((r) => r.messages.some((m) => m.id === sent.message.ID)) && kept(c).length === 1;
    }, 'the image message and the ticket in the cache', { timeout: 5000 });

    // Reload with the server down: an offline start from the cache.
    await server.stop();
    await alice.reload();
    const events = await loginOffline(alice);
    const cachedList = events.filter((e) => e.name === EV.LIST).at(-1).data;
    const last = cachedList.find((c) => c.conversationID === 'C2Cfc_bob').lastMessage;
    assert.equal(last.type, 'TIMImageElem');
    const [cached] = (await alice.messages('C2Cfc_bob')).messageList;
    assert.equal(cached.ID, sent.message.ID);
    const url = imageURL(cached);
    assert.match(url, /[?&]userID=fc_alice&expires=\d+&ticket=[\w-]+$/, 'the cached message carries the kept ticket');
    assert.equal(last.payload.imageInfoArray[0].url, url, "the list's lastMessage too");
    assert.equal(url, imageURL(live[0]), 'the same link as before the reload (same UserSig, same ticket)');

    // The server returns; the SDK reconnects and the login is answered: the very URL works.
    const connected = alice.nextEvent(EV.NET, (d) => d.state === 'connected', 30_000);
    await server.start();
    await connected;
    const fetched = await get(url);
    assert.equal(fetched.status, 200, 'the cached link fetches once logged in');
    assert.deepEqual(fetched.bytes, png, 'the very PNG bob drew');

    // The ticket says who asks, nothing more. eve, not in the conversation, with her own valid
    // ticket (her login answer's fileQuery): 404; alice's ticket under eve's name: 401; none: 401.
    const [[eveLogin]] = await rawJobs(probe.page, server.wsURL, server.sdkAppID, [
      { userID: 'fc_eve', userSig: server.sig('fc_eve'), requests: [] },
    ]);
    const eveQuery = eveLogin.value.fileQuery;
    assert.match(eveQuery, /userID=fc_eve&expires=\d+&ticket=/);
    const path = url.split('?')[0];
    const eve = await get(`${path}?${eveQuery}`);
    assert.equal(eve.status, 404, "eve's own ticket opens nothing of alice's");
    assert.equal((await get(url.replace('userID=fc_alice', 'userID=fc_eve'))).status, 401, 'a ticket under another name');
    assert.equal((await get(path)).status, 401, 'no ticket');

    // Logout forgets the kept ticket; the next login's answer keeps one again.
    await alice.ok('logout');
    await until(async () => kept(await readCache(alice, server.sdkAppID)).length === 0, 'logout to forget the ticket', { timeout: 5000 });
    await loginOnline(alice);
    await until(async () => kept(await readCache(alice, server.sdkAppID)).length === 1, 'the new answer kept', { timeout: 5000 });
    await Promise.all([alice.close(), bob.close()]);
  });
});
