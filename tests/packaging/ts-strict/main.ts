// The README's sample as a user writes it in a strict TypeScript project that installed the
// package: it must type-check without casts.
import TIM from 'tim-wasm';

const SDKAppID = 1400000001;
const userSig = 'from your backend';
const tim = TIM.create({ SDKAppID, server: 'ws://127.0.0.1:8080' });
if (tim) {
  tim.on(TIM.EVENT.SDK_READY, () => console.log('ready'));
  await tim.login({ userID: 'alice', userSig });
  let promise = tim.deleteConversation('C2Cbob');
  promise
    .then(function (imResponse) {
      const { conversationID } = imResponse.data;
      console.log(conversationID);
    })
    .catch(function (imError) {
      console.warn('deleteConversation error:', imError.code, imError.message);
    });
}
// A numeric string, as configs read from environment variables are.
TIM.create({ SDKAppID: '1400000001' });
