// The documented sample, verbatim, and the entry point's contract (constants, create()).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, texts } from './harness.mjs';

const env = useEnv(before, after);

describe('documented sample and entry point', () => {
  it('runs the documented sample: deleteConversation("C2Cbob") resolves { code: 0, data: { conversationID: "C2Cbob" } }', async () => {
    const { server, browser } = env;
    // bob and alice exchange a message first, so alice has a C2Cbob conversation to delete
    const bob = await openUser(browser, server, 'bob');
    await bob.login();
    const alice = await openUser(browser, server, 'alice');
    const aliceSig = server.sig('alice');
    const received = bob.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === 'hello bob'));
    // The sample as documented, run in alice's page (with our `server` option).
    const out = await alice.page.evaluate(
      async ({ SDKAppID, wsURL, userSig }) => {
        const TIM = (await import('/pkg/index.js')).default;
        const log = [];
        const tim = TIM.create({ SDKAppID, server: wsURL }); // the server option is ours
        let readyFired = false;
        let readyResolve;
        const ready = new Promise((r) => (readyResolve = r));
        const onReady = function (event) {
          readyFired = true;
          log.push(event.name);
          readyResolve();
        };
        tim.on(TIM.EVENT.SDK_READY, onReady);
        await tim.login({ userID: 'alice', userSig });
        await ready;
        // alice says hello to bob so that the conversation exists on both sides
        const msg = tim.createTextMessage({ to: 'bob', conversationType: TIM.TYPES.CONV_C2C, payload: { text: 'hello bob' } });
        await tim.sendMessage(msg);
        let promise = tim.deleteConversation('C2Cbob');
        let result = null;
        let caught = null;
        const isPromise = promise instanceof Promise;
        await promise
          .then(function (imResponse) {
            const { conversationID } = imResponse.data; // 'C2Cbob'
            result = { code: imResponse.code, conversationID, data: imResponse.data };
          })
          .catch(function (imError) {
            console.warn('deleteConversation error:', imError.code, imError.message);
            caught = { code: imError.code, message: imError.message };
          });
        const list = (await tim.getConversationList()).data.conversationList.map((c) => c.conversationID);
        return { readyFired, log, isPromise, result, caught, list };
      },
      { SDKAppID: server.sdkAppID, wsURL: `ws://${new URL(server.url).host}`, userSig: aliceSig },
    );
    await received;
    assert.equal(out.readyFired, true, 'SDK_READY fired');
    assert.deepEqual(out.log, ['sdkStateReady']);
    assert.equal(out.isPromise, true, 'deleteConversation returns a real Promise');
    assert.equal(out.caught, null, `no rejection: ${JSON.stringify(out.caught)}`);
    assert.deepEqual(out.result, { code: 0, conversationID: 'C2Cbob', data: { conversationID: 'C2Cbob' } });
    assert.ok(!out.list.includes('C2Cbob'), `C2Cbob is no longer listed: ${out.list}`);
    // bob's side is untouched
    assert.deepEqual(texts((await bob.messages('C2Calice')).messageList), ['hello bob']);
    await alice.close();
    await bob.close();
  });

  it('exposes the documented TIM.EVENT, TIM.TYPES and TIM.VERSION values', async () => {
    const u = await openUser(env.browser, env.server, 'consts');
    const got = await u.page.evaluate(() => ({
      keys: Object.keys(window.TIM).sort(),
      EVENT: { ...window.TIM.EVENT },
      TYPES: { ...window.TIM.TYPES },
      VERSION: window.TIM.VERSION,
      createIsFunction: typeof window.TIM.create === 'function',
    }));
    assert.deepEqual(got.keys, ['EVENT', 'TYPES', 'VERSION', 'create']);
    assert.equal(got.createIsFunction, true);
    assert.equal(got.VERSION, '0.1.0');
    const EVENT = {
      SDK_READY: 'sdkStateReady',
      SDK_NOT_READY: 'sdkStateNotReady',
      SDK_DESTROY: 'sdkDestroy',
      MESSAGE_RECEIVED: 'onMessageReceived',
      CONVERSATION_LIST_UPDATED: 'onConversationListUpdated',
      TOTAL_UNREAD_MESSAGE_COUNT_UPDATED: 'onTotalUnreadMessageCountUpdated',
      NET_STATE_CHANGE: 'netStateChange',
      KICKED_OUT: 'kickedOut',
      ERROR: 'error',
      GROUP_LIST_UPDATED: 'onGroupListUpdated',
      GROUP_SYSTEM_NOTICE_RECEIVED: 'receiveGroupSystemNotice',
      MESSAGE_REVOKED: 'onMessageRevoked',
      MESSAGE_MODIFIED: 'onMessageModified',
      MESSAGE_READ_BY_PEER: 'onMessageReadByPeer',
      MESSAGE_READ_RECEIPT_RECEIVED: 'onMessageReadReceiptReceived',
    };
    for (const [k, v] of Object.entries(EVENT)) assert.equal(got.EVENT[k], v, `TIM.EVENT.${k}`);
    const TYPES = {
      CONV_C2C: 'C2C',
      CONV_GROUP: 'GROUP',
      CONV_SYSTEM: '@TIM#SYSTEM',
      MSG_TEXT: 'TIMTextElem',
      MSG_CUSTOM: 'TIMCustomElem',
      MSG_GRP_TIP: 'TIMGroupTipElem',
      MSG_GRP_SYS_NOTICE: 'TIMGroupSystemNoticeElem',
      GRP_WORK: 'Private',
      GRP_PUBLIC: 'Public',
      GRP_MEETING: 'ChatRoom',
      GRP_AVCHATROOM: 'AVChatRoom',
      NET_STATE_CONNECTED: 'connected',
      NET_STATE_CONNECTING: 'connecting',
      NET_STATE_DISCONNECTED: 'disconnected',
      KICKED_OUT_MULT_ACCOUNT: 'multipleAccount',
      KICKED_OUT_USERSIG_EXPIRED: 'userSigExpired',
      GRP_MBR_ROLE_OWNER: 'Owner',
      GRP_MBR_ROLE_ADMIN: 'Admin',
      GRP_MBR_ROLE_MEMBER: 'Member',
      JOIN_OPTIONS_FREE_ACCESS: 'FreeAccess',
      JOIN_OPTIONS_NEED_PERMISSION: 'NeedPermission',
      JOIN_OPTIONS_DISABLE_APPLY: 'DisableApply',
    };
    for (const [k, v] of Object.entries(TYPES)) assert.equal(got.TYPES[k], v, `TIM.TYPES.${k}`);
    await u.close();
  });

  it('TIM.create: same SDKAppID gives the same instance until destroy() (a string of digits too); a bad SDKAppID gives null', async () => {
    const u = await openUser(env.browser, env.server, 'creator');
    const r = await u.page.evaluate(async (SDKAppID) => {
      const TIM = window.TIM;
      const a = TIM.create({ SDKAppID });
      const b = TIM.create({ SDKAppID });
      // As configs read from environment variables are: the same app, so the same instance.
      const fromString = TIM.create({ SDKAppID: String(SDKAppID) });
      const other = TIM.create({ SDKAppID: SDKAppID + 1 });
      const bad = {};
      for (const [label, v] of [
        ['0', 0], ['-1', -1], ['1.5', 1.5], ['NaN', NaN], ['"12a"', '12a'], ['""', ''], ['"-5"', '-5'], ['"0"', '0'],
        ['undefined', undefined], ['null', null],
      ]) {
        bad[label] = TIM.create({ SDKAppID: v });
      }
      let noOptions;
      try { noOptions = TIM.create(); } catch (e) { noOptions = `threw ${e}`; }
      const destroyed = await a.destroy();
      const c = TIM.create({ SDKAppID });
      await other.destroy();
      await c.destroy();
      return {
        same: a === b,
        sameFromString: fromString === a,
        differentApp: a !== other && !!other,
        bad,
        noOptions,
        destroyed,
        newAfterDestroy: !!c && c !== a,
      };
    }, env.server.sdkAppID);
    assert.equal(r.same, true, 'the same SDKAppID gives the same instance (===)');
    assert.equal(r.sameFromString, true, 'SDKAppID as a string of digits gives that app\'s instance');
    assert.equal(r.differentApp, true, 'another SDKAppID gives another instance');
    for (const [label, v] of Object.entries(r.bad)) assert.equal(v, null, `TIM.create({ SDKAppID: ${label} }) is null`);
    assert.equal(r.noOptions, null, 'TIM.create() with no options is null');
    assert.deepEqual(r.destroyed, { code: 0, data: {} });
    assert.equal(r.newAfterDestroy, true, 'after destroy() create() makes a new instance');
    // A non-numeric SDKAppID is refused with a message on the console that says why.
    const said = [];
    const onConsole = (msg) => msg.type() === 'error' && said.push(msg.text());
    u.page.on('console', onConsole);
    const made = await u.page.evaluate(() => window.TIM.create({ SDKAppID: '12a' }));
    const marker = u.page.waitForEvent('console', (m) => m.text() === 'marker');
    await u.page.evaluate(() => console.log('marker'));
    await marker;
    u.page.off('console', onConsole);
    assert.equal(made, null);
    assert.ok(
      said.some((t) => t.includes('SDKAppID must be a positive integer (or a string of digits), got "12a"')),
      `the console says why: ${JSON.stringify(said)}`,
    );
    await u.close();
  });

  it('login emits NET_STATE_CHANGE connected and SDK_READY; logout SDK_NOT_READY; destroy SDK_DESTROY', async () => {
    const u = await openUser(env.browser, env.server, 'cycle');
    await u.create();
    const connected = u.nextEvent('netStateChange', (d) => d.state === 'connected');
    const ready = u.nextEvent('sdkStateReady');
    const data = await u.ok('login', { userID: 'cycle', userSig: env.server.sig('cycle') });
    assert.deepEqual(data, { repeatLogin: false });
    assert.deepEqual((await connected).data, { state: 'connected' });
    assert.deepEqual((await ready).data, {});
    // already logged in
    await u.fails(2025, 'login', { userID: 'cycle', userSig: env.server.sig('cycle') });

    const notReady = u.nextEvent('sdkStateNotReady');
    assert.deepEqual(await u.ok('logout'), {});
    assert.deepEqual((await notReady).data, {});

    // logging in again after logout works
    const ready2 = u.nextEvent('sdkStateReady');
    await u.ok('login', { userID: 'cycle', userSig: env.server.sig('cycle') });
    await ready2;

    const destroyed = u.nextEvent('sdkDestroy');
    assert.deepEqual(await u.ok('destroy'), {});
    assert.deepEqual((await destroyed).data, {});
    // every event ever delivered had the { name, data } shape with a known name
    const names = new Set(Object.values(await u.page.evaluate(() => ({ ...window.TIM.EVENT }))));
    for (const e of u.events) assert.ok(names.has(e.name), `event name ${e.name} is documented`);
    await u.close();
  });

  it('rejections are real Errors with own numeric code, a message and data', async () => {
    const u = await openUser(env.browser, env.server, 'errs');
    await u.login();
    const r = await u.page.evaluate(async () => {
      try {
        await window.tim.deleteConversation('abc');
        return { resolved: true };
      } catch (e) {
        return {
          isError: e instanceof Error,
          hasStack: typeof e.stack === 'string',
          ownCode: Object.prototype.hasOwnProperty.call(e, 'code'),
          code: e.code,
          message: e.message,
          dataType: typeof e.data,
          string: String(e),
        };
      }
    });
    assert.equal(r.resolved, undefined, 'deleteConversation("abc") must reject');
    assert.equal(r.isError, true);
    assert.equal(r.hasStack, true);
    assert.equal(r.ownCode, true);
    assert.equal(r.code, 2503);
    assert.match(r.message, /conversation/i, 'the message says what was wrong');
    assert.equal(r.dataType, 'object');
    await u.close();
  });
  it("Tencent methods tim-wasm does not have yet fail with 2905, not 'x is not a function'", async () => {
    const u = await openUser(env.browser, env.server, 'gaps');
    // Before the module has loaded: an asynchronous method waits for it, then rejects.
    const early = await u.page.evaluate(async (SDKAppID) => {
      const tim = window.TIM.create({ SDKAppID: SDKAppID + 7 });
      const p = tim.getFriendList();
      const isPromise = p instanceof Promise;
      try {
        await p;
        return { isPromise, resolved: true };
      } catch (e) {
        await tim.destroy();
        return { isPromise, code: e.code, message: e.message, isError: e instanceof Error };
      }
    }, env.server.sdkAppID);
    assert.deepEqual(
      { isPromise: early.isPromise, code: early.code, isError: early.isError },
      { isPromise: true, code: 2905, isError: true },
      JSON.stringify(early),
    );
    assert.match(early.message, /getFriendList is not supported/);
    await u.login();
    const r = await u.page.evaluate(async () => {
      const out = {};
      try {
        // revokeMessage was the example until issue 16 added it; reactions are not there yet.
        await window.tim.addMessageReaction({}, 'emoji');
        out.reaction = 'resolved';
      } catch (e) {
        out.reaction = e.code;
      }
      try {
        // createImageMessage was the example until issue 16 added it.
        window.tim.createVideoMessage({ to: 'bob', conversationType: 'C2C', payload: {} });
        out.video = 'returned';
      } catch (e) {
        out.video = e.code;
      }
      out.unknown = typeof window.tim.noSuchMethodAnywhere;
      out.existing = typeof window.tim.deleteConversation;
      const { isSupported } = await import('/pkg/index.js');
      out.supported = [isSupported('deleteConversation'), isSupported('getFriendList')];
      return out;
    });
    assert.deepEqual(r, { reaction: 2905, video: 2905, unknown: 'undefined', existing: 'function', supported: [true, false] });
    await u.close();
  });
});
