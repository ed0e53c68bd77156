// What a server-side renderer does with the package: import it (must not throw), read its
// constants, and call TIM.create (must fail with a clear "browser only" error, not a crash
// inside the wasm loader). Prints one JSON line for the test.
const out = {};
try {
  const { default: TIM } = await import('tim-wasm');
  out.imported = true;
  out.event = TIM.EVENT.SDK_READY;
  out.version = TIM.VERSION;
  try {
    const tim = TIM.create({ SDKAppID: 1400000001 });
    out.created = tim === null ? 'null' : typeof tim;
  } catch (e) {
    out.createError = { message: String(e.message), code: e.code };
  }
} catch (e) {
  out.imported = false;
  out.importError = String(e && e.stack);
}
console.log(JSON.stringify(out));
