// The demo chat's image and file messages, through its UI in headless Chromium (issues 16, 17):
// the Image and File buttons appear because the SDK has createImageMessage / createFileMessage;
// an image chosen in the file picker shows its upload progress (and itself, from the file), then
// itself inline from the server, on the
// sender's page and on the peer's (a phone); a file arrives as a download link to the same bytes.
// Screenshots: test-results/demo-image-*.png.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, resultPath } from './harness.mjs';
import { DESKTOP, PHONE, T, personAt, newChatWith } from './demo-ui.mjs';

const env = useEnv(before, after);

/** A real PNG of w x h pixels, drawn on a canvas in `page`. */
const pngFrom = async (page, w, h) =>
  Buffer.from(
    await page.evaluate(
      ([w, h]) =>
        new Promise((resolve) => {
          const c = document.createElement('canvas');
          c.width = w;
          c.height = h;
          const ctx = c.getContext('2d');
          ctx.fillStyle = '#c03060';
          ctx.fillRect(0, 0, w, h);
          ctx.fillStyle = '#30a0c0';
          ctx.fillRect(0, 0, w / 2, h / 2);
          resolve(c.toDataURL('image/png').split(',')[1]);
        }),
      [w, h],
    ),
    'base64',
  );

/** The natural width of the newest image message once it has loaded (0 while it has not). */
const shownImageWidth = (page) =>
  page.waitForFunction(() => {
    const imgs = document.querySelectorAll('[data-testid="message-list"] [data-testid="msg-image"]');
    const img = imgs[imgs.length - 1];
    return img && img.complete && img.naturalWidth;
  });

describe('demo chat: images and files', () => {
  it('an image goes up with progress and shows inline on both pages; a file is a download link', async () => {
    const ann = await personAt(env, 'ann', DESKTOP);
    const ben = await personAt(env, 'ben', PHONE);
    const a = ann.page;
    const b = ben.page;
    await newChatWith(a, 'ben');
    assert.equal(await a.isVisible(T('image-btn')), true, 'the SDK has createImageMessage: the button shows');
    assert.equal(await a.isVisible(T('file-btn')), true);

    // Whatever the upload shows while it runs (on localhost it is quick: the first frame only).
    await a.evaluate(() => {
      window.__seenProgress = [];
      new MutationObserver(() => {
        const sending = document.querySelector('[data-testid="msg"][data-status="sending"]');
        const state = sending && sending.querySelector('[data-testid="msg-state"]');
        if (state) window.__seenProgress.push(`${state.textContent}${sending.querySelector('[data-testid="msg-preview"]') ? ' +preview' : ''}`);
      }).observe(document.querySelector('[data-testid="message-list"]'), { childList: true, subtree: true, characterData: true });
    });
    const png = await pngFrom(a, 160, 120);
    await a.setInputFiles('#image-input', { name: 'square.png', mimeType: 'image/png', buffer: png });
    assert.equal(await shownImageWidth(a).then((h) => h.jsonValue()), 160, 'the sender sees the image');
    await a.waitForSelector(`${T('msg')}[data-status="sent"] ${T('msg-image')}`);
    const seen = await a.evaluate(() => window.__seenProgress);
    assert.ok(seen.some((s) => /Uploading \d+% \+preview/.test(s)), `the upload showed its progress and the image chosen: ${JSON.stringify(seen)}`);

    // The peer, on a phone: the chat comes with the image, shown inline.
    await b.click(T('open-C2Cann'));
    assert.equal(await shownImageWidth(b).then((h) => h.jsonValue()), 160, 'the peer sees the image');
    const src = await b.getAttribute(`${T('message-list')} ${T('msg-image')}`, 'src');
    const fetched = await b.evaluate(async (u) => {
      const r = await fetch(u);
      return [...new Uint8Array(await r.arrayBuffer())];
    }, src);
    assert.deepEqual(Buffer.from(fetched), png, 'the very bytes sent');
    assert.equal(await b.textContent(T('last-C2Cann')), '[Image]');

    // A file: a link named after it, to its bytes.
    await a.setInputFiles('#file-input', { name: 'plan.txt', mimeType: 'text/plain', buffer: Buffer.from('step one, step two\n') });
    await b.waitForSelector(`${T('message-list')} ${T('msg-file')}`);
    const link = b.locator(`${T('message-list')} ${T('msg-file')}`);
    assert.match(await link.textContent(), /plan\.txt/);
    assert.equal(await link.getAttribute('download'), 'plan.txt');
    const body = await b.evaluate(async (u) => (await fetch(u)).text(), await link.getAttribute('href'));
    assert.equal(body, 'step one, step two\n');
    await a.waitForSelector(`${T('msg')}[data-status="sent"] ${T('msg-file')}`);
    await a.screenshot({ path: resultPath('demo-image-sent.png') });
    await b.screenshot({ path: resultPath('demo-image-phone.png') });

    assert.deepEqual([...ann.errors, ...ben.errors], []);
    await ann.ctx.close();
    await ben.ctx.close();
  });
});
