// The documented sample, typed against pkg/index.d.ts, plus every method and event once.
// `tsc -p tests/types` must accept this file as it is (strict, no emit).
import TIM from '../../pkg/index.js';
import type {
  Conversation,
  imResponse,
  DeleteConversationResult,
  Message,
  MessageReadReceipt,
  ReadReceiptInfo,
  TimError,
  TimInstance,
} from '../../pkg/index.js';

declare const userSig: string;
const SDKAppID = 1400000001;

// --- the documented sample ---------------------------------------------------------------
const created = TIM.create({ SDKAppID, server: 'ws://127.0.0.1:8080' });
if (!created) throw new Error('bad SDKAppID');
const tim: TimInstance = created;

const onReady = function (event: { name: string; data: object }) {
  console.log('ready', event.name, event.data);
};
tim.on(TIM.EVENT.SDK_READY, onReady);
tim.setLogLevel(1);
tim.once(TIM.EVENT.SDK_READY, onReady);
const isReadyNow: boolean = tim.isReady();
const me: string = tim.getLoginUser();
const serverNow: number = tim.getServerTime();
const unreadTotal: number = tim.getTotalUnreadMessageCount();
console.log(isReadyNow, me, serverNow, unreadTotal);
void tim.setAllMessageRead({ scope: TIM.TYPES.READ_ALL_C2C_MSG });
void tim.setAllMessageRead();
void tim.pinConversation({ conversationID: 'C2Cbob', isPinned: true }).then((r) => {
  const pinned: string = r.data.conversationID;
  console.log(pinned);
});
void tim
  .setMessageRemindType({ userIDList: ['bob'], messageRemindType: TIM.TYPES.MSG_REMIND_ACPT_NOT_NOTE })
  .then((r) => {
    const muted: string[] = r.data.successUserIDList;
    console.log(muted, r.data.failureUserIDList.map((f) => f.code));
  });
void tim.setMessageRemindType({ groupID: 'g1', messageRemindType: TIM.TYPES.MSG_REMIND_DISCARD }).then((r) => {
  const groupName: string = r.data.group.name;
  console.log(groupName);
});
void tim.setConversationDraft({ conversationID: 'C2Cbob', draftText: 'half a thought' }).then((r) => {
  const drafted: string = r.data.conversationID;
  console.log(drafted);
});
await tim.login({ userID: 'alice', userSig });
let promise = tim.deleteConversation('C2Cbob');
promise
  .then(function (imResponse) {
    const { conversationID } = imResponse.data; // 'C2Cbob'
    const id: string = conversationID;
    console.log(id);
  })
  .catch(function (imError: TimError) {
    console.warn('deleteConversation error:', imError.code, imError.message);
  });

// --- constants ---------------------------------------------------------------------------
const ready: 'sdkStateReady' = TIM.EVENT.SDK_READY;
const c2c: 'C2C' = TIM.TYPES.CONV_C2C;
const system: '@TIM#SYSTEM' = TIM.TYPES.CONV_SYSTEM;
const text: 'TIMTextElem' = TIM.TYPES.MSG_TEXT;
const expired: 'userSigExpired' = TIM.TYPES.KICKED_OUT_USERSIG_EXPIRED;
const version: string = TIM.VERSION;
console.log(ready, c2c, system, text, expired, version, TIM.TYPES.GRP_AVCHATROOM, TIM.EVENT.GROUP_LIST_UPDATED);
const male: 'Gender_Type_Male' = TIM.TYPES.GENDER_MALE;
const deny: 'AllowType_Type_DenyAny' = TIM.TYPES.ALLOW_TYPE_DENY_ANY;
console.log(male, deny, TIM.TYPES.FORBID_TYPE_SEND_OUT);
tim.on(TIM.EVENT.PROFILE_UPDATED, (e) => {
  const nick: string = e.data[0].nick;
  const gender: 'Gender_Type_Unknown' | 'Gender_Type_Female' | 'Gender_Type_Male' = e.data[0].gender;
  console.log(nick, gender);
});
tim.on(TIM.EVENT.BLACKLIST_UPDATED, (e) => {
  const blocked: string[] = e.data;
  console.log(blocked.length);
});

// --- events ------------------------------------------------------------------------------
tim.on(TIM.EVENT.MESSAGE_RECEIVED, (e) => {
  const m = e.data[0];
  const first: string = m.type === TIM.TYPES.MSG_TEXT ? m.payload.text : '';
  const name: 'onMessageReceived' = e.name;
  const flow: 'in' | 'out' = e.data[0].flow;
  console.log(first, name, flow);
});
const onList = (e: { data: Conversation[] }) => {
  for (const c of e.data) {
    const n: number = c.unreadCount;
    const show: string = c.lastMessage.messageForShow;
    const peer: string | undefined = c.userProfile?.userID;
    const group: string | undefined = c.groupProfile?.groupID;
    const p = c.lastMessage.payload;
    const payloadText: string | undefined = p && 'text' in p ? p.text : undefined;
    // Someone @-mentioned me (or @all) in an unread group message.
    const mentioned: boolean = c.groupAtInfoList.some(
      (a) => a.atTypeArray[0] === TIM.TYPES.CONV_AT_ME || a.atTypeArray[0] === TIM.TYPES.CONV_AT_ALL_AT_ME,
    );
    const atAll: boolean = c.groupAtInfoList.some((a) => a.atTypeArray.includes(TIM.TYPES.CONV_AT_ALL));
    const atSeq: number | undefined = c.groupAtInfoList[0]?.messageSequence;
    console.log(group, mentioned, atAll, atSeq);
    console.log(n, show, peer, payloadText);
  }
};
tim.on(TIM.EVENT.CONVERSATION_LIST_UPDATED, onList);
tim.off(TIM.EVENT.CONVERSATION_LIST_UPDATED, onList);
tim.on(TIM.EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, (e) => {
  const total: number = e.data;
  console.log(total);
});
tim.on(TIM.EVENT.NET_STATE_CHANGE, (e) => {
  const s: 'connected' | 'connecting' | 'disconnected' = e.data.state;
  console.log(s);
});
tim.on(TIM.EVENT.KICKED_OUT, (e) => {
  if (e.data.type === TIM.TYPES.KICKED_OUT_USERSIG_EXPIRED) console.log('sig expired');
});
tim.on(TIM.EVENT.ERROR, (e) => {
  const code: number = e.data.code;
  const message: string = e.data.message;
  console.log(code, message);
});
tim.on(TIM.EVENT.SDK_NOT_READY, (e) => console.log(e.name));
tim.on(TIM.EVENT.SDK_DESTROY, (e) => console.log(e.name));

// --- every method ------------------------------------------------------------------------
async function everyMethod(t: TimInstance): Promise<void> {
  const login = await t.login({ userID: 'alice', userSig });
  const repeat: boolean = login.data.repeatLogin;
  const zero: 0 = login.code;

  const message: Message = t.createTextMessage({
    to: 'bob',
    conversationType: TIM.TYPES.CONV_C2C,
    payload: { text: 'hello' },
  });
  const sent = await t.sendMessage(message);
  const seq: number = sent.data.message.sequence;
  const status: 'unSend' | 'success' | 'fail' = sent.data.message.status;
  const revoked = await t.revokeMessage(sent.data.message);
  const isRevoked: boolean = revoked.data.message.isRevoked;
  const custom = t.createCustomMessage({
    to: 'bob',
    conversationType: TIM.TYPES.CONV_C2C,
    payload: { data: '{"order":1}', description: 'an order', extension: '' },
  });
  const customData: string = custom.payload.data;
  const at = t.createTextAtMessage({
    to: 'group1',
    conversationType: TIM.TYPES.CONV_GROUP,
    payload: { text: '@bob @all', atUserList: ['bob', TIM.TYPES.MSG_AT_ALL] },
  });
  const mentions: string[] | undefined = at.payload.atUserList;
  const image = t.createImageMessage({
    to: 'bob',
    conversationType: TIM.TYPES.CONV_C2C,
    payload: { file: new Blob([new Uint8Array(8)], { type: 'image/png' }) },
    onProgress: (percent: number) => console.log(percent),
  });
  const imageSent = await t.sendMessage(image);
  const shown = imageSent.data.message;
  if (shown.type === TIM.TYPES.MSG_IMAGE) {
    const thumbnail: string = shown.payload.imageInfoArray[2].url;
    const width: number = shown.payload.imageInfoArray[0].width;
    console.log(thumbnail, width);
  }
  const input = document.createElement('input');
  const fileMessage = t.createFileMessage({ to: 'g1', conversationType: TIM.TYPES.CONV_GROUP, payload: { file: input } });
  const fileName: string = fileMessage.payload.fileName;
  const fileUrl: string = fileMessage.payload.fileUrl;
  const all: '__kImSDK_MesssageAtALL__' = TIM.TYPES.MSG_AT_ALL;
  const customSent = await t.sendMessage(custom).catch(() => t.resendMessage(custom));
  const resentSeq: number = customSent.data.message.sequence;
  console.log(customData, mentions, all, resentSeq);
  const edited = sent.data.message;
  if (edited.type === TIM.TYPES.MSG_TEXT) edited.payload.text = 'hello again';
  const modified = await t.modifyMessage(edited);
  const deletedMessages = await t.deleteMessage([modified.data.message]);
  const deletedList: Message[] = deletedMessages.data.messageList;
  console.log(isRevoked, deletedList.length);
  t.on(TIM.EVENT.MESSAGE_REVOKED, (e) => {
    const name: 'onMessageRevoked' = e.name;
    const all: boolean = e.data.every((m) => m.isRevoked);
    console.log(name, all);
  });
  t.on(TIM.EVENT.MESSAGE_MODIFIED, (e) => {
    const ids: string[] = e.data.map((m) => m.ID);
    console.log(ids);
  });
  // Read receipts: asked for at creation, sent by the reader, heard by the sender.
  const asking = t.createTextMessage({
    to: 'bob',
    conversationType: TIM.TYPES.CONV_C2C,
    payload: { text: 'read me' },
    needReadReceipt: true,
  });
  const askingSent = await t.sendMessage(asking);
  const asks: boolean = askingSent.data.message.needReadReceipt;
  const receipt = await t.sendMessageReadReceipt([askingSent.data.message]);
  const receiptCode: 0 = receipt.code;
  const readList: Message[] = receipt.data.messageList;
  const receipts = await t.getMessageReadReceiptList([askingSent.data.message]);
  const info: ReadReceiptInfo = receipts.data.messageList[0].readReceiptInfo;
  const counts: [boolean, number, number] = [info.isPeerRead, info.readCount, info.unreadCount];
  console.log(asks, receiptCode, readList.length, counts);
  t.on(TIM.EVENT.MESSAGE_READ_BY_PEER, (e) => {
    const name: 'onMessageReadByPeer' = e.name;
    const read: boolean = e.data.every((m) => m.isPeerRead);
    console.log(name, read);
  });
  t.on(TIM.EVENT.MESSAGE_READ_RECEIPT_RECEIVED, (e) => {
    const r: MessageReadReceipt[] = e.data;
    console.log(r.map((x) => [x.groupID, x.messageID, x.readCount, x.unreadCount]));
  });

  const list = await t.getConversationList();
  const conversations: Conversation[] = list.data.conversationList;
  const synced: boolean = list.data.isSyncCompleted;

  const profile = await t.getConversationProfile('C2Cbob');
  const conv: Conversation = profile.data.conversation;

  const page = await t.getMessageList({ conversationID: 'C2Cbob', count: 15 });
  const messages: Message[] = page.data.messageList;
  const next: string = page.data.nextReqMessageID;
  const done: boolean = page.data.isCompleted;
  if (!done) await t.getMessageList({ conversationID: 'C2Cbob', nextReqMessageID: next });

  await t.setMessageRead({ conversationID: 'C2Cbob' });

  const deleted: imResponse<DeleteConversationResult> = await t.deleteConversation('C2Cbob');
  const id: string = deleted.data.conversationID;

  const batch = await t.deleteConversation({ conversationIDList: ['C2Cbob', 'C2Ccarol'], clearHistoryMessage: false });
  const deletedIDs: string[] = batch.data.conversationIDList;
  for (const f of batch.data.failedList) console.log(f.conversationID, f.code, f.message);

  const cleared = await t.clearHistoryMessage('C2Cdave');
  const clearedID: string = cleared.data.conversationID;
  console.log(deletedIDs, clearedID);

  const created = await t.createGroup({ type: TIM.TYPES.GRP_PUBLIC, name: 'Friends', memberList: [{ userID: 'bob' }] });
  const groupID: string = created.data.group.groupID;
  const joined = await t.joinGroup({ groupID });
  const joinStatus: 'JoinedSuccess' = joined.data.status;
  const groups = await t.getGroupList();
  const owner: string = groups.data.groupList[0].ownerID;
  const { introduction, notification, avatar } = groups.data.groupList[0];
  const listedRole: string = groups.data.groupList[0].selfInfo.role;
  console.log(introduction, notification, avatar, listedRole);
  const groupProfile = await t.getGroupProfile({ groupID });
  const members: number = groupProfile.data.group.memberNum;
  const added = await t.addGroupMember({ groupID, userIDList: ['carol'] });
  const addedIDs: string[] = added.data.successUserIDList;
  await t.deleteGroupMember({ groupID, userIDList: ['carol'] });
  const quit = await t.quitGroup(groupID);
  const dismissed = await t.dismissGroup(groupID);
  console.log(joinStatus, owner, members, addedIDs, quit.data.groupID, dismissed.data.groupID);
  t.on(TIM.EVENT.GROUP_SYSTEM_NOTICE_RECEIVED, (e) => {
    const m = e.data.message;
    if (m.type === TIM.TYPES.MSG_GRP_SYS_NOTICE) console.log(m.payload.operationType, m.payload.groupProfile.groupID);
  });
  t.on(TIM.EVENT.GROUP_LIST_UPDATED, (e) => console.log(e.data.map((g) => g.name)));

  const me = await t.getMyProfile();
  const nick: string = me.data.nick;
  const users = await t.getUserProfile({ userIDList: ['bob'] });
  const firstAvatar: string | undefined = users.data[0]?.avatar;
  const after = await t.updateMyProfile({ nick: 'Al', gender: TIM.TYPES.GENDER_FEMALE, level: 2 });
  const updatedAt: number = after.data.lastUpdatedTime;
  const blocked: string[] = (await t.getBlacklist()).data;
  const newlyBlocked: string[] = (await t.addToBlacklist({ userIDList: ['eve'] })).data;
  const unblocked: string[] = (await t.removeFromBlacklist({ userIDList: ['eve'] })).data;
  console.log(nick, firstAvatar, updatedAt, blocked, newlyBlocked, unblocked);
  const memberPage = await t.getGroupMemberList({ groupID: 'g1', count: 30, offset: 0 });
  const admins = memberPage.data.memberList.filter((m) => m.role === TIM.TYPES.GRP_MBR_ROLE_ADMIN);
  const picked = await t.getGroupMemberProfile({ groupID: 'g1', userIDList: ['bob'] });
  const joinedAt: number | undefined = picked.data.memberList[0]?.joinTime;
  console.log(admins.length, joinedAt, TIM.TYPES.JOIN_OPTIONS_FREE_ACCESS);
  const promoted = await t.setGroupMemberRole({ groupID: 'g1', userID: 'bob', role: TIM.TYPES.GRP_MBR_ROLE_ADMIN });
  const handed = await t.changeGroupOwner({ groupID: 'g1', newOwnerID: 'bob' });
  const renamed = await t.updateGroupProfile({ groupID: 'g1', name: 'New', joinOption: TIM.TYPES.JOIN_OPTIONS_DISABLE_APPLY, muteAllMembers: false });
  const myRole: string = promoted.data.group.selfInfo.role;
  console.log(myRole, handed.data.group.ownerID, renamed.data.group.joinOption, renamed.data.group.muteAllMembers);

  try {
    await t.deleteConversation('abc');
  } catch (err) {
    const e = err as TimError;
    const isError: boolean = e instanceof Error;
    console.log(isError, e.code, e.message, e.data);
  }

  await t.logout();
  await t.destroy();
  console.log(repeat, zero, seq, status, conversations, synced, conv, messages, id);
}
void everyMethod(tim);

// create() may give null
const maybe = TIM.create({ SDKAppID: 0, timeout: 5000 });
if (maybe === null) console.log('bad SDKAppID gives null');
