// Group member lists (issue 16), with the real SDK in headless Chromium against one server
// process: getGroupMemberList pages in join order with Tencent's roles and the members' nicks,
// getGroupMemberProfile picks members out, and each bad input is refused with its code.
// setGroupMemberRole / changeGroupOwner / updateGroupProfile are on the server (crates/server
// tests) but not in the SDK yet (its size ceiling): this file checks they reject with 2905.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser } from './harness.mjs';

const env = useEnv(before, after);
const GID = 'members1';

describe('group members', () => {
  it('getGroupMemberList pages the members in join order; getGroupMemberProfile picks them out', async () => {
    const [alice, bob, carol, zed] = await Promise.all(
      ['alice', 'bob', 'carol', 'zed'].map((id) => openUser(env.browser, env.server, id)),
    );
    for (const u of [alice, bob, carol, zed]) await u.login();
    await bob.ok('updateMyProfile', { nick: 'Bobby' });
    await alice.ok('createGroup', { type: 'Public', name: 'Members', groupID: GID, memberList: ['bob', 'carol'] });

    const all = (await bob.ok('getGroupMemberList', { groupID: GID, count: 100, offset: 0 })).memberList;
    assert.deepEqual(
      all.map((m) => [m.userID, m.role]).sort(),
      [['alice', 'Owner'], ['bob', 'Member'], ['carol', 'Member']],
    );
    const roles = await alice.page.evaluate(() => [window.TIM.TYPES.GRP_MBR_ROLE_OWNER, window.TIM.TYPES.GRP_MBR_ROLE_MEMBER]);
    assert.deepEqual(roles, ['Owner', 'Member']);
    const bobEntry = all.find((m) => m.userID === 'bob');
    assert.equal(bobEntry.nick, 'Bobby', 'the member carries their profile nick');
    assert.equal(typeof bobEntry.joinTime, 'number');
    assert.ok(bobEntry.joinTime > 0);
    assert.equal(bobEntry.nameCard, '');

    // Pages: count and offset, Tencent's default count (15) when none is given.
    const page = (await alice.ok('getGroupMemberList', { groupID: GID, count: 2, offset: 1 })).memberList;
    assert.deepEqual(page.map((m) => m.userID), all.slice(1, 3).map((m) => m.userID));
    assert.equal((await alice.ok('getGroupMemberList', { groupID: GID })).memberList.length, 3);
    assert.equal((await alice.ok('getGroupMemberList', { groupID: GID, offset: 5 })).memberList.length, 0);

    const picked = (await carol.ok('getGroupMemberProfile', { groupID: GID, userIDList: ['bob', 'zed'] })).memberList;
    assert.deepEqual(picked.map((m) => m.userID), ['bob'], 'non-members are left out');

    // Refusals: a non-member (10007), no such group (10010), a bad groupID (10015), bad options (2100).
    await zed.fails(10007, 'getGroupMemberList', { groupID: GID });
    await zed.fails(10007, 'getGroupMemberProfile', { groupID: GID, userIDList: ['bob'] });
    await alice.fails(10010, 'getGroupMemberList', { groupID: 'nope' });
    await alice.fails(10015, 'getGroupMemberList', { groupID: '' });
    await alice.fails(2100, 'getGroupMemberList', { groupID: GID, count: -1 });
    await alice.fails(2100, 'getGroupMemberList', {});
    await alice.fails(2100, 'getGroupMemberProfile', { groupID: GID, userIDList: [] });
    await alice.fails(2100, 'getGroupMemberProfile', { groupID: GID, userIDList: 'bob' });

    // Not in the SDK yet: Tencent's names reject with 2905 (not supported) and change nothing.
    for (const [m, o] of [
      ['setGroupMemberRole', { groupID: GID, userID: 'bob', role: 'Admin' }],
      ['changeGroupOwner', { groupID: GID, newOwnerID: 'bob' }],
      ['updateGroupProfile', { groupID: GID, name: 'Renamed' }],
    ]) {
      const r = await alice.call(m, o);
      assert.equal(r.ok, false, `${m} is not offered yet`);
      assert.equal(r.code, 2905, `${m}: ${r.message}`);
    }
    const after = (await bob.ok('getGroupMemberList', { groupID: GID, count: 100 })).memberList;
    assert.deepEqual(after.map((m) => [m.userID, m.role]), all.map((m) => [m.userID, m.role]));
    assert.equal((await bob.ok('getGroupProfile', { groupID: GID })).group.name, 'Members');
    await Promise.all([alice, bob, carol, zed].map((u) => u.close()));
  });
});
