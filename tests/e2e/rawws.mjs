// Raw protocol clients (docs/protocol.md) run inside a browser page: Node 20 has no WebSocket, and
// a page needs no extra npm package. Used to set up many peers quickly (100 users each sending one
// message costs one page, not 100) and to read a user's event log on the server, which is how the
// tests count server-side applications of a deletion ("exactly once").
import assert from 'node:assert/strict';
import { PROTOCOL, flat } from './wire.mjs';

/**
 * In `page`, runs each job on its own WebSocket to `wsURL`: login as `userID`, then each request
 * of `requests` in order (each waits for its answer; pushes are skipped), then closes. At most
 * `concurrency` sockets at once. Resolves, per job, the answers (the login's first).
 * A job: { userID, userSig, resumeAfter?, requests: [{ op, args }] }.
 */
export async function rawJobs(page, wsURL, sdkAppID, jobs, { concurrency = 10, timeout = 15_000 } = {}) {
  return page.evaluate(
    async ([url, app, list, conc, ms, protocol]) => {
      const runOne = (job) =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(url);
          const answers = [];
          const frames = [
            { op: 'login', args: { SDKAppID: app, userID: job.userID, userSig: job.userSig, protocol, ...(job.resumeAfter !== undefined ? { resumeAfter: job.resumeAfter } : {}) } },
            ...job.requests,
          ];
          let next = 0;
          const timer = setTimeout(() => {
            ws.close();
            reject(new Error(`raw ${job.userID}: no answer to ${frames[next]?.op} within ${ms} ms`));
          }, ms);
          const sendNext = () => {
            if (next >= frames.length) {
              clearTimeout(timer);
              ws.close();
              resolve(answers);
              return;
            }
            const f = frames[next];
            // Protocol 2: {"id":n,"req":{op:args}} (wire.mjs; this runs in the page).
            ws.send(JSON.stringify({ id: next + 1, req: f.args === undefined ? f.op : { [f.op]: f.args } }));
          };
          ws.onopen = sendNext;
          ws.onerror = () => {
            clearTimeout(timer);
            reject(new Error(`raw ${job.userID}: WebSocket error`));
          };
          ws.onmessage = (e) => {
            const f = JSON.parse(e.data);
            if (f.push) return;
            if ((f.reply ?? f.error)?.id !== next + 1) return;
            answers.push(f);
            next++;
            sendNext();
          };
        });
      const results = new Array(list.length);
      let i = 0;
      const worker = async () => {
        while (i < list.length) {
          const k = i++;
          results[k] = await runOne(list[k]);
        }
      };
      await Promise.all(Array.from({ length: Math.min(conc, list.length) }, worker));
      return results;
    },
    [wsURL, sdkAppID, jobs, concurrency, timeout, PROTOCOL],
  ).then((results) => results.map((answers) => answers.map(flat)));
}

/**
 * Each of `senders` ({ userID, text, to }) logs in and sends one text to `to`, concurrently.
 * `sig(userID)` gives a UserSig. Resolves the stored messages (WireMessage, sender's view).
 */
export async function rawSendEach(page, server, senders, opts) {
  let n = 0;
  const jobs = senders.map((s) => ({
    userID: s.userID,
    userSig: server.sig(s.userID),
    requests: [
      {
        op: 'sendMessage',
        args: { conversationID: `C2C${s.to}`, ID: `raw-${s.userID}-${Date.now()}-${n++}`, body: { type: 'text', text: s.text } },
      },
    ],
  }));
  const results = await rawJobs(page, server.wsURL, server.sdkAppID, jobs, opts);
  return results.map((answers, i) => {
    const [login, sent] = answers;
    assert.equal(login.t, 'reply', `raw login of ${senders[i].userID}: ${JSON.stringify(login)}`);
    assert.equal(sent.t, 'reply', `raw send by ${senders[i].userID}: ${JSON.stringify(sent)}`);
    assert.equal(sent.kind, 'sent');
    return sent.value.message;
  });
}

/**
 * The user's event log on the server after `after` (docs/protocol.md "The event log"): a raw login
 * with `resumeAfter`, again after the last entry while the answer says `moreMissed` (the log comes
 * in pages, docs/protocol.md "Paging"). Resolves { latestEvent, entries: [{ ev, kind, value }] }.
 * The raw sessions log in and out at once (they do not change the log).
 */
export async function eventLog(page, server, userID, after = 0) {
  const entries = [];
  for (let at = after; ; ) {
    const [answers] = await rawJobs(page, server.wsURL, server.sdkAppID, [
      { userID, userSig: server.sig(userID), resumeAfter: at, requests: [] },
    ]);
    const [login] = answers;
    assert.equal(login.t, 'reply', `raw login of ${userID}: ${JSON.stringify(login)}`);
    assert.equal(login.value.resyncRequired, false, `${userID}'s event log after ${at} can be read exactly`);
    entries.push(...login.value.missed);
    if (!login.value.moreMissed) return { latestEvent: login.value.latestEvent, entries };
    at = login.value.missed.at(-1).ev;
  }
}

/** Entries of an event log that delete `conversationID` for its user. */
export const deletionsOf = (log, conversationID) =>
  log.entries.filter((e) => e.kind === 'conversationDeleted' && e.value.conversationID === conversationID);
