// Issue 16, profiles: a profile change reaches every session of the user as PROFILE_UPDATED
// (data: [the whole profile]), messages carry the sender's nick and avatar as of sending, and
// the peer's C2C conversation shows them in `userProfile`; bad values are refused with
// Tencent's codes and change nothing. Changed both through the SDK (getMyProfile,
// getUserProfile, updateMyProfile) and through the admin REST API (profile/portrait_set,
// portrait_get), which the server applies the same way.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, findConv } from './harness.mjs';
import { rest, restOk } from './admin.mjs';
import { NetCut } from './netcut.mjs';

const env = useEnv(before, after);

describe('profiles', () => {
  it('an update is seen by every session, later messages and the peer\'s conversation', async () => {
    const open = async (id) => {
      const u = await openUser(env.browser, env.server, id);
      await u.login();
      return u;
    };
    const [a1, a2, bob] = [await open('pf_alice'), await open('pf_alice'), await open('pf_bob')];
    const types = await a1.page.evaluate(() => ({
      event: window.TIM.EVENT.PROFILE_UPDATED,
      female: window.TIM.TYPES.GENDER_FEMALE,
      confirm: window.TIM.TYPES.ALLOW_TYPE_NEED_CONFIRM,
    }));
    assert.deepEqual(types, { event: 'onProfileUpdated', female: 'Gender_Type_Female', confirm: 'AllowType_Type_NeedConfirm' });

    const before = await a1.send('pf_bob', 'before');
    assert.equal(before.nick, '');
    const seen = [a1, a2].map((a) => a.nextEvent('onProfileUpdated', (d) => d[0]?.nick === 'Alice'));
    await restOk(env.server, 'profile/portrait_set', {
      From_Account: 'pf_alice',
      ProfileItem: [
        { Tag: 'Tag_Profile_IM_Nick', Value: 'Alice' },
        { Tag: 'Tag_Profile_IM_Image', Value: 'https://example.com/a.png' },
        { Tag: 'Tag_Profile_IM_Gender', Value: types.female },
      ],
    });
    for (const { data: e } of await Promise.all(seen)) {
      assert.equal(e.length, 1);
      assert.deepEqual(
        { userID: e[0].userID, nick: e[0].nick, avatar: e[0].avatar, gender: e[0].gender, allowType: e[0].allowType },
        { userID: 'pf_alice', nick: 'Alice', avatar: 'https://example.com/a.png', gender: types.female, allowType: types.confirm },
      );
      assert.ok(e[0].lastUpdatedTime > 0);
    }
    // Bob was not told (no friends here): his view follows the next message and list load.
    assert.equal(bob.events.filter((e) => e.name === 'onProfileUpdated').length, 0);

    const got = bob.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === 'after'));
    const sent = await a2.send('pf_bob', 'after');
    assert.deepEqual([sent.nick, sent.avatar], ['Alice', 'https://example.com/a.png']);
    const [received] = (await got).data.filter((m) => m.payload.text === 'after');
    assert.deepEqual([received.nick, received.avatar], ['Alice', 'https://example.com/a.png']);
    const conv = findConv(await bob.conversationList(), 'C2Cpf_alice');
    assert.deepEqual(conv.userProfile, { userID: 'pf_alice', nick: 'Alice', avatar: 'https://example.com/a.png' });
    // History keeps each message's nick as of sending.
    const { messageList } = await bob.messages('C2Cpf_alice');
    assert.deepEqual(messageList.map((m) => [m.payload.text, m.nick]), [['before', ''], ['after', 'Alice']]);

    // Several users at once; unknown ones are 40003 and listed as failed.
    const { json } = await rest(env.server, 'profile/portrait_get', {
      To_Account: ['pf_alice', 'pf_ghost', 'pf_bob'],
      TagList: ['Tag_Profile_IM_Nick'],
    });
    assert.deepEqual(json.UserProfileItem.map((i) => [i.To_Account, i.ResultCode, i.ProfileItem[0]?.Value]), [
      ['pf_alice', 0, 'Alice'], ['pf_ghost', 40003, undefined], ['pf_bob', 0, ''],
    ]);

    // Bad values: Tencent's code, nothing changed, nobody told.
    const mark = a2.events.length;
    for (const item of [
      { Tag: 'Tag_Profile_IM_Nick', Value: 'x'.repeat(501) },
      { Tag: 'Tag_Profile_IM_Gender', Value: 'male' },
      { Tag: 'Tag_Profile_IM_Location', Value: 'x'.repeat(17) },
    ]) {
      const r = await rest(env.server, 'profile/portrait_set', { From_Account: 'pf_alice', ProfileItem: [item] });
      assert.equal(r.json.ErrorCode, 40001, JSON.stringify(r.json));
    }
    const again = await rest(env.server, 'profile/portrait_get', { To_Account: ['pf_alice'], TagList: ['Tag_Profile_IM_Nick', 'Tag_Profile_IM_Gender'] });
    assert.deepEqual(again.json.UserProfileItem[0].ProfileItem.map((p) => p.Value), ['Alice', types.female]);
    await a2.send('pf_bob', 'ping');
    assert.equal(a2.eventsSince(mark, 'onProfileUpdated').length, 0);

    for (const u of [a1, a2, bob]) await u.close();
  });

  it('getMyProfile, updateMyProfile and getUserProfile from the SDK, with Tencent\'s shapes and codes', async () => {
    const open = async (id) => {
      const u = await openUser(env.browser, env.server, id);
      await u.login();
      return u;
    };
    const [me, other, peer] = [await open('pc_alice'), await open('pc_alice'), await open('pc_bob')];
    const mine = await me.ok('getMyProfile');
    assert.equal(Array.isArray(mine), false, 'one Profile, not an array');
    assert.deepEqual([mine.userID, mine.nick, mine.gender], ['pc_alice', '', 'Gender_Type_Unknown']);

    const seen = other.nextEvent('onProfileUpdated', (d) => d[0]?.nick === 'Al');
    const updated = await me.ok('updateMyProfile', { nick: 'Al', selfSignature: 'hi', gender: 'Gender_Type_Female' });
    assert.deepEqual([updated.userID, updated.nick, updated.selfSignature, updated.gender], ['pc_alice', 'Al', 'hi', 'Gender_Type_Female']);
    assert.ok(updated.lastUpdatedTime > 0);
    assert.deepEqual((await seen).data, [updated], 'the other session is told the same profile');
    assert.deepEqual(await other.ok('getMyProfile'), updated);

    const found = await peer.ok('getUserProfile', { userIDList: ['pc_alice', 'pc_ghost', 'pc_bob'] });
    assert.deepEqual(found.map((p) => [p.userID, p.nick]), [['pc_alice', 'Al'], ['pc_bob', '']]);

    // Bad options: Tencent's codes, nothing changed, nobody told.
    const mark = other.events.length;
    await me.fails(2721, 'updateMyProfile', { nick: 'x'.repeat(501) });
    await me.fails(2721, 'updateMyProfile', { gender: 'male' });
    await me.fails(2721, 'updateMyProfile', { level: 'two' });
    await me.fails(2721, 'updateMyProfile', 'Al');
    await me.fails(2722, 'updateMyProfile', {});
    await me.fails(2100, 'getUserProfile', { userIDList: [] });
    await me.fails(2100, 'getUserProfile');
    assert.deepEqual(await other.ok('getMyProfile'), updated, 'nothing changed');
    assert.equal(other.eventsSince(mark, 'onProfileUpdated').length, 0);
    for (const u of [me, other, peer]) await u.close();
  });

  it('a session that was offline catches up on a profile and a blacklist change, each once', async () => {
    const proxy = await new NetCut(Number(new URL(env.server.url).port)).start();
    try {
      const away = await openUser(env.browser, env.server, 'pf_carol');
      await away.login({ options: { SDKAppID: env.server.sdkAppID, server: proxy.wsURL } });
      const mark = away.events.length;
      const down = away.nextEvent('netStateChange', (d) => d.state === 'disconnected');
      await proxy.cut();
      await down;
      await restOk(env.server, 'profile/portrait_set', { From_Account: 'pf_carol', ProfileItem: [{ Tag: 'Tag_Profile_IM_Nick', Value: 'Carol' }] });
      await restOk(env.server, 'sns/black_list_add', { From_Account: 'pf_carol', To_Account: ['pf_dan'] });
      assert.equal(away.eventsSince(mark, 'onProfileUpdated').length, 0, 'nothing heard while offline');

      const profile = away.nextEvent('onProfileUpdated', (d) => d[0]?.nick === 'Carol', 30_000);
      const blacklist = away.nextEvent('blacklistUpdated', (d) => d.length === 1, 30_000);
      await proxy.restore();
      await profile;
      assert.deepEqual((await blacklist).data, ['pf_dan']);
      // A later change proves the stream is live; then each missed one was told once.
      await restOk(env.server, 'profile/portrait_set', { From_Account: 'pf_carol', ProfileItem: [{ Tag: 'Tag_Profile_IM_Level', Value: 2 }] });
      await away.nextEvent('onProfileUpdated', (d) => d[0]?.level === 2);
      assert.equal(away.eventsSince(mark, 'onProfileUpdated').filter((e) => e.data[0].nick === 'Carol' && e.data[0].level === 0).length, 1);
      assert.equal(away.eventsSince(mark, 'blacklistUpdated').length, 1);
      await away.close();
    } finally {
      await proxy.close();
    }
  });
});
