// The app every bundler fixture builds: code as Tencent's documentation writes it, pointed at the
// test server. The page's query string carries what the test knows (SDKAppID, the UserSigs, and
// the server when the page is not served by it); the outcome goes to `document.body.dataset`.
import TIM from 'tim-wasm';

const q = new URLSearchParams(location.search);
const report = (key, value) => {
  document.body.dataset[key] = typeof value === 'string' ? value : JSON.stringify(value);
};

async function run() {
  const options = { SDKAppID: Number(q.get('sdkappid')) };
  if (q.get('server')) options.server = q.get('server');
  const tim = TIM.create(options);
  report('created', String(tim !== null));
  const ready = new Promise((resolve) => tim.on(TIM.EVENT.SDK_READY, resolve));
  await tim.login({ userID: q.get('user'), userSig: q.get('sig') });
  await ready;
  const message = tim.createTextMessage({
    to: q.get('peer'),
    conversationType: TIM.TYPES.CONV_C2C,
    payload: { text: 'hello from a bundled app' },
  });
  const sent = await tim.sendMessage(message);
  report('sent', { code: sent.code, text: sent.data.message.payload.text });
  let promise = tim.deleteConversation(TIM.TYPES.CONV_C2C + q.get('peer'));
  promise
    .then(function (imResponse) {
      report('deleted', imResponse);
    })
    .catch(function (imError) {
      report('error', { code: imError.code, message: imError.message });
    });
}

run().catch((e) => report('error', { code: e && e.code, message: String(e && e.message) }));
