// The group list's Group shape (issue 16), with the real SDK in headless Chromium against one
// server process: updateGroupProfile's fields (introduction, notification, avatar, joinOption,
// muteAllMembers) and the member's role are in every member's getGroupList, GROUP_LIST_UPDATED,
// getGroupProfile and the group conversation's groupProfile.avatar, also after a fresh login.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, findConv, groupSend } from './harness.mjs';

const env = useEnv(before, after);
const GID = 'glp1';

/** The fields updateGroupProfile sets, and the role, of `g` (a Group). */
const profileOf = (g) => ({
  name: g.name,
  introduction: g.introduction,
  notification: g.notification,
  avatar: g.avatar,
  joinOption: g.joinOption,
  muteAllMembers: g.muteAllMembers,
  role: g.selfInfo.role,
});

describe('the group list carries the group profile', () => {
  it('getGroupList, GROUP_LIST_UPDATED and getGroupProfile show what updateGroupProfile set', async () => {
    const [alice, bob, carol] = await Promise.all(['glp_alice', 'glp_bob', 'glp_carol'].map((id) => openUser(env.browser, env.server, id)));
    for (const u of [alice, bob, carol]) await u.login();
    await alice.ok('createGroup', { type: 'Public', name: 'Profiled', groupID: GID, memberList: ['glp_bob', 'glp_carol'] });
    await alice.ok('setGroupMemberRole', { groupID: GID, userID: 'glp_bob', role: 'Admin' });

    // Before any update: empty texts, the Public type's own join option.
    const fresh = (await carol.ok('getGroupList')).groupList.find((g) => g.groupID === GID);
    assert.deepEqual(profileOf(fresh), {
      name: 'Profiled', introduction: '', notification: '', avatar: '', joinOption: 'FreeAccess', muteAllMembers: false, role: 'Member',
    });

    const fields = {
      introduction: 'About us', notification: 'Be nice', avatar: 'https://example.com/g.png', joinOption: 'DisableApply', muteAllMembers: true,
    };
    const listedFor = (u) =>
      u.nextEvent('onGroupListUpdated', (d) => d.some((g) => g.groupID === GID && g.introduction === fields.introduction));
    const [aliceListed, carolListed] = [listedFor(alice), listedFor(carol)];
    await bob.ok('updateGroupProfile', { groupID: GID, ...fields });

    // Every member's GROUP_LIST_UPDATED carries the new profile, with their own role.
    const want = (role) => ({ name: 'Profiled', ...fields, role });
    const inEvent = (e) => profileOf(e.data.find((g) => g.groupID === GID));
    assert.deepEqual(inEvent(await aliceListed), want('Owner'));
    assert.deepEqual(inEvent(await carolListed), want('Member'));

    // getGroupList and getGroupProfile say the same.
    for (const [u, role] of [[alice, 'Owner'], [bob, 'Admin'], [carol, 'Member']]) {
      const listed = (await u.ok('getGroupList')).groupList.find((g) => g.groupID === GID);
      assert.deepEqual(profileOf(listed), want(role), `${u.userID}'s getGroupList`);
      assert.deepEqual(profileOf((await u.ok('getGroupProfile', { groupID: GID })).group), want(role), `${u.userID}'s getGroupProfile`);
    }

    // The group conversation's groupProfile has the group's avatar.
    const sent = await groupSend(alice, GID, 'hello');
    assert.ok(sent.ok, JSON.stringify(sent));
    const conv = findConv(await carol.conversationList(), `GROUP${GID}`);
    assert.equal(conv.groupProfile.avatar, fields.avatar);

    // A fresh login (a new page, no cache) lists the same.
    await carol.close();
    const again = await openUser(env.browser, env.server, 'glp_carol');
    await again.login();
    const relisted = (await again.ok('getGroupList')).groupList.find((g) => g.groupID === GID);
    assert.deepEqual(profileOf(relisted), want('Member'));
    assert.equal(findConv(await again.conversationList(), `GROUP${GID}`).groupProfile.avatar, fields.avatar);

    // A change of one field reaches the list too.
    const renoticed = again.nextEvent('onGroupListUpdated', (d) => d.some((g) => g.groupID === GID && g.notification === 'Be kind'));
    await alice.ok('updateGroupProfile', { groupID: GID, notification: 'Be kind' });
    assert.equal((await renoticed).data.find((g) => g.groupID === GID).introduction, fields.introduction);
    await Promise.all([alice, bob, again].map((u) => u.close()));
  });
});
