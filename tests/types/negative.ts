// Wrong usage the typings must reject: each `@ts-expect-error` line fails the build if the line
// below it type-checks (tsc reports "Unused '@ts-expect-error' directive").
import TIM from '../../pkg/index.js';

const tim = TIM.create({ SDKAppID: 1400000001 });

// @ts-expect-error create() may return null: must be checked before use
tim.getConversationList();

if (tim) {
  // @ts-expect-error deleteConversation takes a string ID
  tim.deleteConversation(42);
  // @ts-expect-error deleteConversation takes a string ID, not an arbitrary object
  tim.deleteConversation({});
  // @ts-expect-error the batch form needs a string list
  tim.deleteConversation({ conversationIDList: [1, 2] });
  // @ts-expect-error clearHistoryMessage is a boolean
  tim.deleteConversation({ conversationIDList: ['C2Cbob'], clearHistoryMessage: 'yes' });
  void tim.deleteConversation('C2Cbob').then((r) => {
    // @ts-expect-error the single form resolves { conversationID }, not a list
    console.log(r.data.conversationIDList);
  });
  tim.on(TIM.EVENT.BLACKLIST_UPDATED, (e) => {
    // @ts-expect-error BLACKLIST_UPDATED carries userIDs, not profiles
    console.log(e.data[0].nick);
  });
  // @ts-expect-error not one of TIM.TYPES.GENDER_*
  const g: import('../../pkg/index.js').Gender = 'male';
  console.log(g);
  // @ts-expect-error login needs userSig
  tim.login({ userID: 'alice' });
  // @ts-expect-error unknown method
  tim.deleteConversations('C2Cbob');
  // @ts-expect-error createTextMessage needs payload.text
  tim.createTextMessage({ to: 'bob', conversationType: 'C2C', payload: {} });
  // @ts-expect-error unknown conversation type
  tim.createTextMessage({ to: 'bob', conversationType: 'C3C', payload: { text: 'x' } });
  // @ts-expect-error custom payload strings are strings
  tim.createCustomMessage({ to: 'bob', conversationType: 'C2C', payload: { data: 1 } });
  // @ts-expect-error @ messages go to groups only
  tim.createTextAtMessage({ to: 'bob', conversationType: 'C2C', payload: { text: 'x', atUserList: ['bob'] } });
  // @ts-expect-error atUserList is required
  tim.createTextAtMessage({ to: 'g1', conversationType: 'GROUP', payload: { text: 'x' } });
  // @ts-expect-error resendMessage takes a message
  tim.resendMessage({ ID: 'x' });
  // @ts-expect-error scope is a TIM.TYPES.READ_ALL_* value
  tim.setAllMessageRead({ scope: 'C2C' });
  // @ts-expect-error isPinned is a boolean
  tim.pinConversation({ conversationID: 'C2Cbob', isPinned: 'yes' });
  // @ts-expect-error messageRemindType is a TIM.TYPES.MSG_REMIND_* value
  tim.setMessageRemindType({ userIDList: ['bob'], messageRemindType: 'Mute' });
  // @ts-expect-error a groupID or a userIDList, not both
  tim.setMessageRemindType({ groupID: 'g1', userIDList: ['bob'], messageRemindType: 'Discard' });
  // @ts-expect-error draftText is a string
  tim.setConversationDraft({ conversationID: 'C2Cbob', draftText: 5 });
  // @ts-expect-error log levels are 0 to 4
  tim.setLogLevel(5);
  // @ts-expect-error unknown event name
  tim.on('onMessageRecieved', () => {});

  tim.on(TIM.EVENT.MESSAGE_RECEIVED, (e) => {
    // @ts-expect-error MESSAGE_RECEIVED carries Message[], not a Message
    console.log(e.data.payload);
  });
  tim.on(TIM.EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, (e) => {
    // @ts-expect-error the total unread count is a number
    const s: string = e.data;
    console.log(s);
  });

  // @ts-expect-error gender is one of TIM.TYPES.GENDER_*
  void tim.updateMyProfile({ gender: 'male' });
  // @ts-expect-error userIDList is an array, even for one user
  void tim.getUserProfile({ userIDList: 'bob' });
  // @ts-expect-error getGroupMemberList takes { groupID, count?, offset? }
  void tim.getGroupMemberList('g1');
  // @ts-expect-error getGroupMemberProfile needs userIDList
  void tim.getGroupMemberProfile({ groupID: 'g1' });
  // @ts-expect-error setGroupMemberRole cannot make an owner (changeGroupOwner does)
  void tim.setGroupMemberRole({ groupID: 'g1', userID: 'bob', role: 'Owner' });
  // @ts-expect-error updateGroupProfile's joinOption is one of TIM.TYPES.JOIN_OPTIONS_*
  void tim.updateGroupProfile({ groupID: 'g1', joinOption: 'Anyone' });
  // @ts-expect-error addToBlacklist takes { userIDList }
  void tim.addToBlacklist(['bob']);

  // @ts-expect-error deleteMessage takes a list of messages
  tim.deleteMessage(tim.createTextMessage({ to: 'bob', conversationType: 'C2C', payload: { text: 'x' } }));
  // @ts-expect-error revokeMessage takes a message, not its ID
  tim.revokeMessage('msg-1');
  tim.on(TIM.EVENT.MESSAGE_REVOKED, (e) => {
    // @ts-expect-error MESSAGE_REVOKED carries Message[], not a Message
    console.log(e.data.isRevoked);
  });
  void tim.getMessageList({ conversationID: 'C2Cbob' }).then((r) => {
    // @ts-expect-error nextReqMessageID is a string
    const n: number = r.data.nextReqMessageID;
    console.log(n);
  });
}

// @ts-expect-error SDKAppID is required
TIM.create({});
// @ts-expect-error EVENT values are literal types
const wrong: 'sdkReady' = TIM.EVENT.SDK_READY;
console.log(wrong);
