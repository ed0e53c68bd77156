// The instance methods of Tencent's web SDK (@tencentcloud/chat 3.6.6, which includes all of
// tim-js-sdk 2.27.6's), by name only: the entry answers a call of one that tim-wasm does not have
// yet with a coded error instead of `x is not a function`. What exists is in index.d.ts.

/** The methods that answer at once (every other one returns a Promise). */
export const SYNC_METHODS = new Set([
  'addSignalingListener', 'createAudioMessage', 'createCustomMessage', 'createFaceMessage',
  'createFileMessage', 'createForwardMessage', 'createImageMessage', 'createLocationMessage',
  'createMergerMessage', 'createTextAtMessage', 'createTextMessage', 'createVideoMessage',
  'findMessage', 'getLoginUser', 'getServerTime', 'getSignalingInfo', 'getTotalUnreadMessageCount',
  'inviteInGroupSync', 'inviteSync', 'isReady', 'off', 'on', 'once', 'registerPlugin',
  'removeSignalingListener', 'setLogLevel',
]);

/** Every other method of the documented API: each returns a Promise. */
export const ASYNC_METHODS = new Set([
  'accept', 'acceptFriendApplication', 'addConversationsToGroup', 'addFriend', 'addGroupMember',
  'addMessageReaction', 'addToBlacklist', 'addToFriendGroup', 'callExperimentalAPI', 'cancel',
  'changeGroupOwner', 'checkFollowType', 'checkFriend', 'clearHistoryMessage',
  'convertVoiceToText', 'createConversationGroup', 'createFriendGroup', 'createGroup',
  'createTopicInCommunity', 'decreaseGroupCounter', 'deleteConversation',
  'deleteConversationGroup', 'deleteConversationsFromGroup', 'deleteFriend',
  'deleteFriendApplication', 'deleteFriendGroup', 'deleteGroupAttributes', 'deleteGroupMember',
  'deleteMessage', 'deleteMessageExtensions', 'deleteTopicFromCommunity', 'destroy',
  'dismissGroup', 'downloadMergerMessage', 'followUser', 'getAllReceiveMessageOpt',
  'getAllUserListOfMessageReaction', 'getBlacklist', 'getConversationGroupList',
  'getConversationList', 'getConversationProfile', 'getFriendApplicationList',
  'getFriendGroupList', 'getFriendList', 'getFriendProfile', 'getGroupApplicationList',
  'getGroupAttributes', 'getGroupCounters', 'getGroupList', 'getGroupMemberList',
  'getGroupMemberProfile', 'getGroupMessageReadMemberList', 'getGroupOnlineMemberCount',
  'getGroupProfile', 'getJoinedCommunityList', 'getMessageExtensions', 'getMessageList',
  'getMessageListHopping', 'getMessageReactions', 'getMessageReadReceiptList',
  'getMutualFollowersList', 'getMyFollowersList', 'getMyFollowingList', 'getMyProfile',
  'getPinnedGroupMessageList', 'getTopicList', 'getUserFollowInfo', 'getUserProfile',
  'getUserStatus', 'handleGroupApplication', 'increaseGroupCounter', 'initGroupAttributes',
  'invite', 'inviteInGroup', 'joinGroup', 'login', 'logout', 'markConversation',
  'markGroupMemberList', 'modifyInvitation', 'modifyMessage', 'pinConversation', 'pinGroupMessage',
  'quitGroup', 'refuseFriendApplication', 'reject', 'removeFromBlacklist', 'removeFromFriendGroup',
  'removeMessageReaction', 'renameConversationGroup', 'renameFriendGroup', 'resendMessage',
  'revokeMessage', 'searchCloudGroupMembers', 'searchCloudGroups', 'searchCloudMessages',
  'searchCloudUsers', 'searchGroupByID', 'sendMessage', 'sendMessageReadReceipt',
  'setAllMessageRead', 'setAllReceiveMessageOpt', 'setConversationCustomData',
  'setConversationDraft', 'setFriendApplicationRead', 'setGroupAttributes', 'setGroupCounters',
  'setGroupMemberCustomField', 'setGroupMemberMuteTime', 'setGroupMemberNameCard',
  'setGroupMemberRole', 'setMessageExtensions', 'setMessageRead', 'setMessageRemindType',
  'setSelfStatus', 'subscribeUserStatus', 'translateText', 'unfollowUser', 'unsubscribeUserStatus',
  'updateFriend', 'updateGroupProfile', 'updateMyProfile', 'updateTopicProfile',
]);
