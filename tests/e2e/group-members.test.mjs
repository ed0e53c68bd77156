// Group member lists (issue 16), with the real SDK in headless Chromium against one server
// process: getGroupMemberList pages in join order with Tencent's roles and the members' nicks,
// getGroupMemberProfile picks members out, and each bad input is refused with its code.
// setGroupMemberRole / changeGroupOwner / updateGroupProfile: who may, the answer's whole group
// profile, the members' lists and GROUP_LIST_UPDATED on the asking session.
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

    // Roles: only the owner sets them; the answer is the group with the caller's role.
    await carol.fails(10007, 'setGroupMemberRole', { groupID: GID, userID: 'bob', role: 'Admin' });
    await alice.fails(2100, 'setGroupMemberRole', { groupID: GID, userID: 'bob', role: 'Boss' });
    await alice.fails(2100, 'setGroupMemberRole', { groupID: GID, role: 'Admin' });
    await alice.fails(10007, 'setGroupMemberRole', { groupID: GID, userID: 'zed', role: 'Admin' });
    const promoted = await alice.ok('setGroupMemberRole', { groupID: GID, userID: 'bob', role: 'Admin' });
    assert.equal(promoted.group.groupID, GID);
    assert.equal(promoted.group.selfInfo.role, 'Owner');
    const roleOf = async (u, id) => (await u.ok('getGroupMemberProfile', { groupID: GID, userIDList: [id] })).memberList[0]?.role;
    assert.equal(await roleOf(carol, 'bob'), 'Admin');

    // Profile: an admin may, a member may not; every field given is set and comes back.
    await carol.fails(10007, 'updateGroupProfile', { groupID: GID, name: 'Carol was here' });
    await bob.fails(2100, 'updateGroupProfile', { groupID: GID });
    await bob.fails(2100, 'updateGroupProfile', { groupID: GID, joinOption: 'Anyone' });
    // No approval step on this server: NeedPermission is refused (documented).
    await bob.fails(2100, 'updateGroupProfile', { groupID: GID, joinOption: 'NeedPermission' });
    const listed = bob.nextEvent('onGroupListUpdated', (d) => d.some((g) => g.groupID === GID && g.name === 'Renamed'));
    const updated = await bob.ok('updateGroupProfile', {
      groupID: GID, name: 'Renamed', introduction: 'About us', notification: 'Be nice',
      avatar: 'https://example.com/g.png', joinOption: 'DisableApply', muteAllMembers: true,
    });
    assert.deepEqual(
      [updated.group.name, updated.group.introduction, updated.group.notification, updated.group.avatar,
        updated.group.joinOption, updated.group.muteAllMembers, updated.group.selfInfo.role],
      ['Renamed', 'About us', 'Be nice', 'https://example.com/g.png', 'DisableApply', true, 'Admin'],
    );
    await listed;
    assert.equal((await carol.ok('getGroupProfile', { groupID: GID })).group.name, 'Renamed');

    // The owner hands the group over and is a member then; a second handover by her is refused.
    await bob.fails(10007, 'changeGroupOwner', { groupID: GID, newOwnerID: 'carol' });
    await alice.fails(10007, 'changeGroupOwner', { groupID: GID, newOwnerID: 'zed' });
    const handed = await alice.ok('changeGroupOwner', { groupID: GID, newOwnerID: 'bob' });
    assert.equal(handed.group.ownerID, 'bob');
    assert.equal(handed.group.selfInfo.role, 'Member');
    await alice.fails(10007, 'changeGroupOwner', { groupID: GID, newOwnerID: 'carol' });
    const now = (await carol.ok('getGroupMemberList', { groupID: GID, count: 100 })).memberList;
    assert.deepEqual(now.map((m) => [m.userID, m.role]).sort(), [['alice', 'Member'], ['bob', 'Owner'], ['carol', 'Member']]);
    await Promise.all([alice, bob, carol, zed].map((u) => u.close()));
  });
});
