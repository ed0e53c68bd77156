// The console page (www/console.html) through its real UI in headless Chromium: log in with the
// SDKAppID and secret key the server printed, flip "Sync Conversation Deletion Across Clients"
// while two sessions of alice are connected, and check that the next deletion follows the switch
// without anyone reconnecting; set the revoke time limit and see the next revoke follow it.
// Screenshots: test-results/console.png, console-revoke.png.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, findConv, resultPath } from './harness.mjs';
import { EV, getSync, getRevokeLimit, assertQuiet, ownBarrier } from './admin.mjs';

const env = useEnv(before, after);

/** Waits until the console shows the saved sync state `want` ('on' | 'off'). */
async function syncStateIs(page, want) {
  await page.waitForFunction(
    (w) => {
      const el = document.getElementById('console-sync-state');
      return el && el.dataset.state === w && el.textContent.trim() === w;
    },
    want,
    { timeout: 10_000 },
  );
  assert.equal(await page.isChecked('#console-sync-toggle'), want === 'on', `the switch shows ${want}`);
  assert.equal(await page.isEnabled('#console-sync-toggle'), true, 'the switch is usable again');
}

describe('console: sync conversation deletion switch', () => {
  let consolePage, consoleCtx;
  const users = [];
  after(async () => {
    for (const u of users) await u.close().catch(() => {});
    if (consoleCtx) await consoleCtx.close();
  });

  it('the switch flipped in the console applies to connected sessions at once, both ways', async () => {
    const { server, browser } = env;
    // the credentials the server printed on its stdout when it created the demo app
    const printed = server.output.find((l) => l.startsWith('[stdout]') && /SDKAppID=\d+ secretKey=\S+/.test(l));
    assert.ok(printed, 'the server printed the demo app\'s SDKAppID and secret key');
    const [, sdkAppID, secretKey] = /SDKAppID=(\d+) secretKey=(\S+)/.exec(printed);

    const open = async (id) => {
      const u = await openUser(browser, server, id);
      users.push(u);
      await u.login();
      return u;
    };
    const a1 = await open('alice');
    const a2 = await open('alice');
    const bob = await open('bob');
    const netMarks = [a1.mark(), a2.mark()];

    consoleCtx = await browser.newContext({ viewport: { width: 900, height: 640 } });
    consolePage = await consoleCtx.newPage();
    consolePage.on('pageerror', (e) => process.stderr.write(`[console page uncaught] ${e.stack || e}\n`));
    await consolePage.goto(`${server.url}/console.html`);

    // a wrong secret key is refused with a visible error, and the app stays hidden
    await consolePage.fill('#console-sdkappid', sdkAppID);
    await consolePage.fill('#console-secret', `${secretKey}x`);
    await consolePage.click('#console-login');
    await consolePage.waitForSelector('#console-error:not([hidden])', { timeout: 10_000 });
    assert.match(await consolePage.textContent('#console-error'), /70003/);
    assert.equal(await consolePage.isVisible('#console-app'), false);

    // the right one: the app and its saved setting (off by default)
    await consolePage.fill('#console-secret', secretKey);
    await consolePage.click('#console-login');
    await consolePage.waitForSelector('#console-app:not([hidden])', { timeout: 10_000 });
    assert.equal((await consolePage.textContent('#console-app-id')).trim(), sdkAppID);
    await syncStateIs(consolePage, 'off');
    assert.equal(await consolePage.isVisible('#console-error'), false, 'no error shown');

    // switch it on in the UI
    await consolePage.click('#console-sync-toggle');
    await syncStateIs(consolePage, 'on');
    assert.equal(await getSync(server), true, 'the server saved it');
    await consolePage.screenshot({ path: resultPath('console.png'), fullPage: true });

    // the next deletion reaches A2 without reconnecting
    let got = [a1, a2].map((a) => a.nextEvent(EV.RECEIVED, (d) => d.some((m) => m.payload.text === 'b1')));
    await bob.send('alice', 'b1');
    await Promise.all(got);
    const listed = a2.nextEvent(EV.LIST, (d) => !findConv(d, 'C2Cbob'));
    const total = a2.nextEvent(EV.TOTAL, (d) => d === 0);
    await a1.ok('deleteConversation', 'C2Cbob');
    await listed;
    await total;
    assert.deepEqual((await a2.messages('C2Cbob')).messageList, []);

    // switch it off again: the next deletion is not synced
    await consolePage.click('#console-sync-toggle');
    await syncStateIs(consolePage, 'off');
    assert.equal(await getSync(server), false);
    got = [a1, a2].map((a) => a.nextEvent(EV.LIST, (d) => findConv(d, 'C2Cbob')?.lastMessage.messageForShow === 'b2'));
    await bob.send('alice', 'b2');
    await Promise.all(got);
    const mark = a2.mark();
    await a1.ok('deleteConversation', 'C2Cbob');
    await assertQuiet(a2, mark, 1500, (e) => (e.name === EV.LIST && !findConv(e.data, 'C2Cbob')) || (e.name === EV.TOTAL && e.data === 0), 'the deletion is not synced with the switch off');
    await ownBarrier(a1, [a2], 'carol', 'barrier');
    assert.deepEqual(a2.eventsSince(mark, EV.LIST).filter((e) => !findConv(e.data, 'C2Cbob')), [], 'A2 still lists C2Cbob after a later push');

    // nobody reconnected: the setting applied to the live sessions
    assert.deepEqual(a1.eventsSince(netMarks[0], EV.NET), [], 'A1 stayed connected');
    assert.deepEqual(a2.eventsSince(netMarks[1], EV.NET), [], 'A2 stayed connected');
  });

  it('after a page reload the console shows the saved state again', async () => {
    const { server } = env;
    await consolePage.goto(`${server.url}/console.html?sdkappid=${server.sdkAppID}`);
    assert.equal(await consolePage.inputValue('#console-sdkappid'), String(server.sdkAppID), '?sdkappid fills the field');
    await consolePage.fill('#console-secret', server.secretKey);
    await consolePage.click('#console-login');
    await consolePage.waitForSelector('#console-app:not([hidden])', { timeout: 10_000 });
    await syncStateIs(consolePage, 'off');
    await consolePage.click('#console-sync-toggle');
    await syncStateIs(consolePage, 'on');
    await consolePage.reload();
    await consolePage.fill('#console-secret', server.secretKey);
    await consolePage.fill('#console-sdkappid', String(server.sdkAppID));
    await consolePage.click('#console-login');
    await syncStateIs(consolePage, 'on');
  });

  it('the revoke time limit set in the console applies to the next revoke', async () => {
    const { server, browser } = env;
    const savedIs = async (seconds) => {
      await consolePage.waitForFunction(
        (w) => {
          const el = document.getElementById('console-revoke-state');
          return el && el.dataset.state === 'saved' && el.textContent.trim() === `${w} s`;
        },
        seconds,
        { timeout: 10_000 },
      );
      assert.equal(await consolePage.inputValue('#console-revoke-limit'), String(seconds));
      assert.equal(await getRevokeLimit(server), seconds, 'the server saved it');
    };
    await savedIs(120);
    const alice = await openUser(browser, server, 'rl_alice');
    users.push(alice);
    await alice.login();
    const early = await alice.send('rl_bob', 'early');

    await consolePage.fill('#console-revoke-limit', '0');
    await consolePage.click('#console-revoke-save');
    await savedIs(0);
    // Times are whole seconds: with 0, a message of an earlier second is too late.
    await new Promise((r) => setTimeout(r, 1100));
    await alice.fails(20016, 'revokeMessage', early);

    await consolePage.fill('#console-revoke-limit', '604800');
    await consolePage.click('#console-revoke-save');
    await savedIs(604800);
    assert.equal((await alice.ok('revokeMessage', early)).message.isRevoked, true);
    assert.equal(await consolePage.isVisible('#console-error'), false, 'no error shown');
    await consolePage.screenshot({ path: resultPath('console-revoke.png'), fullPage: true });
  });
});
