//! Matching replies to requests: each request gets an id; the reply with that id completes it.

use crate::error::SdkError;
use futures::channel::oneshot;
use tim_proto::{ErrorCode, Reply, ServerFrame};

pub type ReplyResult = Result<Reply, SdkError>;

#[derive(Default)]
pub struct Pending {
    next_id: u64,
    /// In registration order. Few requests are ever in flight at once: a list is enough (and
    /// smaller in wasm than a hash map).
    waiting: Vec<(u64, oneshot::Sender<ReplyResult>)>,
}

/// What an incoming frame turned out to be, once replies are routed.
#[derive(Debug, PartialEq)]
// One per frame, moved once: boxing the push would cost SDK code for nothing.
#[allow(clippy::large_enum_variant)]
pub enum Routed {
    /// A reply or error that completed a waiting request (or one nobody waits for any more).
    Answered,
    /// An error the server could not tie to a request (e.g. a frame it could not read).
    Unsolicited(SdkError),
    /// A push, with its place in the user's event log if it is logged.
    Push(Option<u64>, tim_proto::Push),
}

impl Pending {
    /// Registers a request; returns its id and the receiver its answer arrives on.
    pub fn register(&mut self) -> (u64, oneshot::Receiver<ReplyResult>) {
        self.next_id += 1;
        let (tx, rx) = oneshot::channel();
        self.waiting.push((self.next_id, tx));
        (self.next_id, rx)
    }

    /// Forgets a request (timed out or abandoned): a late reply is then ignored.
    pub fn forget(&mut self, id: u64) {
        self.take(id);
    }

    fn take(&mut self, id: u64) -> Option<oneshot::Sender<ReplyResult>> {
        let i = self.waiting.iter().position(|(w, _)| *w == id)?;
        Some(self.waiting.remove(i).1)
    }

    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// Completes the request a frame answers; pushes are handed back.
    pub fn route(&mut self, frame: ServerFrame) -> Routed {
        let (id, result) = match frame {
            ServerFrame::Push { ev, push } => return Routed::Push(ev, push),
            ServerFrame::Reply { id, reply } => (id, Ok(reply)),
            ServerFrame::Error {
                id: Some(id),
                code,
                message,
            } => (id, Err(SdkError::new(code, message))),
            ServerFrame::Error {
                id: None,
                code,
                message,
            } => return Routed::Unsolicited(SdkError::new(code, message)),
        };
        if let Some(tx) = self.take(id) {
            // The receiver may be gone (caller timed out); nothing to do then.
            let _ = tx.send(result);
        }
        Routed::Answered
    }

    /// Fails every waiting request, e.g. when the connection drops.
    pub fn fail_all(&mut self, code: ErrorCode, message: &str) {
        for (_, tx) in self.waiting.drain(..) {
            let _ = tx.send(Err(SdkError::new(code, message)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;

    #[test]
    fn reply_completes_the_matching_request_only() {
        let mut p = Pending::default();
        let (a, rx_a) = p.register();
        let (b, mut rx_b) = p.register();
        assert_ne!(a, b);
        let routed = p.route(ServerFrame::Reply {
            id: a,
            reply: Reply::Pong,
        });
        assert_eq!(routed, Routed::Answered);
        assert_eq!(block_on(rx_a).ok(), Some(Ok(Reply::Pong)));
        assert_eq!(rx_b.try_recv().ok(), Some(None));
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn error_frames_become_sdk_errors() {
        let mut p = Pending::default();
        let (id, rx) = p.register();
        p.route(ServerFrame::Error {
            id: Some(id),
            code: ErrorCode::ConversationNotFound,
            message: "gone".into(),
        });
        let got = block_on(rx).ok();
        assert_eq!(
            got,
            Some(Err(SdkError::new(ErrorCode::ConversationNotFound, "gone")))
        );
    }

    #[test]
    fn unknown_ids_and_forgotten_requests_are_ignored() {
        let mut p = Pending::default();
        let (id, _rx) = p.register();
        p.forget(id);
        assert_eq!(
            p.route(ServerFrame::Reply {
                id,
                reply: Reply::Done
            }),
            Routed::Answered
        );
        assert_eq!(
            p.route(ServerFrame::Reply {
                id: 999,
                reply: Reply::Done
            }),
            Routed::Answered
        );
        assert!(p.is_empty());
    }

    #[test]
    fn fail_all_rejects_everything_waiting() {
        let mut p = Pending::default();
        let (_, rx1) = p.register();
        let (_, rx2) = p.register();
        p.fail_all(ErrorCode::NetworkError, "closed");
        for rx in [rx1, rx2] {
            let got = block_on(rx).ok().and_then(|r| r.err()).map(|e| e.code);
            assert_eq!(got, Some(ErrorCode::NetworkError));
        }
        assert!(p.is_empty());
    }

    #[test]
    fn pushes_and_unsolicited_errors_are_handed_back() {
        let mut p = Pending::default();
        let push = tim_proto::Push::ConversationDeleted {
            conversation_id: "C2Cbob".into(),
            cleared_seq: 1,
        };
        assert_eq!(
            p.route(ServerFrame::Push {
                ev: Some(3),
                push: push.clone()
            }),
            Routed::Push(Some(3), push)
        );
        assert!(matches!(
            p.route(ServerFrame::Error {
                id: None,
                code: ErrorCode::MalformedFrame,
                message: "x".into()
            }),
            Routed::Unsolicited(_)
        ));
    }
}
