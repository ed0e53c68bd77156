//! Fan-out between server nodes over NATS core pub/sub (`serve --nats nats://host:4222`).
//!
//! Each push goes to this node's sessions at once (exactly as [`LocalHub`] does, the
//! excepted session included) and is published for the other nodes, which deliver it to their
//! own sessions of the user. NATS core may drop a message, and a node may be cut off from NATS
//! for a while: nothing here retries, because the database is the truth. A session that sees a
//! gap in its event numbers reads the missing events from the store ([`crate::gap_fill`]), and
//! when the link comes back every session of this node checks the store for what it missed.
//!
//! Subjects are per app and user, `tim.ev.<SDKAppID>.<userID as hex>` (hex: user IDs may hold
//! `.`, `*` or `>`, which mean something in a subject). Every node subscribes to all of them
//! (`tim.ev.>`) and drops what is for users it has no session of: one subscription per node
//! means no subscribe on the login path, so no window in which a new session's events could be
//! published before its node listens, and nothing to undo at logout. The per-user subject keeps
//! the door open to per-user interest (or NATS account filtering) when many nodes make the
//! all-events stream too much for each; the payload names app and user too, so receiving does
//! not depend on parsing subjects.

use crate::error::FatalError;
use crate::hub::{Delivery, Hub, Kind, LocalHub, Outbox, SessionId, TooManySessions, UserKey};
use async_nats::connection::State;
use async_nats::{Client, ConnectOptions, Event, Subscriber};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// The subjects' common prefix.
pub const SUBJECTS: &str = "tim.ev";
/// Publishes waiting for the NATS client; more are dropped (and filled from the store by the
/// sessions that miss them), so a long NATS outage cannot eat the node's memory.
const PUBLISH_QUEUE: usize = 65_536;
/// How long a clean stop waits for queued pushes to reach NATS.
const FLUSH_WITHIN: Duration = Duration::from_secs(5);
/// How long start waits for NATS before giving up with a clear error.
const CONNECT_WITHIN: Duration = Duration::from_secs(10);
/// Longest pause between reconnect attempts: a node cut off catches up soon after NATS is back.
const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(2);

pub struct NatsHub {
    local: Arc<LocalHub>,
    /// Names this node in what it publishes, so its own messages are never delivered twice.
    node: Arc<str>,
    client: Client,
    outgoing: mpsc::Sender<Outgoing>,
    dropped: AtomicU64,
}

/// What the publishing task is handed, in order.
enum Outgoing {
    Push {
        subject: String,
        payload: Vec<u8>,
    },
    /// Answered once everything before it is with the NATS server.
    Flush(oneshot::Sender<()>),
}

/// One push as published: who it is for and the frame, serialized once by the publishing node.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    node: Cow<'a, str>,
    app: u64,
    #[serde(borrow)]
    user: Cow<'a, str>,
    ev: Option<u64>,
    #[serde(borrow)]
    frame: Cow<'a, str>,
}

/// The subject of `user`'s pushes.
pub fn subject(user: &UserKey) -> String {
    let mut s = format!("{SUBJECTS}.{}.", user.sdk_app_id);
    for b in user.user_id.as_bytes() {
        let _ = write!(s, "{b:02x}");
    }
    s
}

impl NatsHub {
    /// Connects to NATS at `url` (`nats://host:4222`, or several, comma-separated) and starts listening for the other nodes' pushes. A clear
    /// error when NATS cannot be reached (within [`CONNECT_WITHIN`]) or the URL is wrong.
    pub async fn connect(url: &str) -> Result<NatsHub, FatalError> {
        let local = Arc::new(LocalHub::new());
        let node: Arc<str> = node_id().into();
        let cannot = |why: String| FatalError(format!("cannot connect to NATS at {url}: {why}"));
        let options = ConnectOptions::new()
            .name(format!("tim-server {node}"))
            // A node delivers its own pushes itself, before publishing them.
            .no_echo()
            .connection_timeout(Duration::from_secs(5))
            .max_reconnects(None)
            .reconnect_delay_callback(|attempts| {
                let millis = u64::try_from(attempts)
                    .unwrap_or(u64::MAX)
                    .saturating_mul(100);
                Duration::from_millis(millis).min(MAX_RECONNECT_DELAY)
            })
            .event_callback(link_events(Arc::clone(&local)));
        // Several servers of one NATS cluster may be given, comma-separated; the client also
        // learns the others from the one it reaches.
        let servers: Vec<&str> = url.split(',').map(str::trim).collect();
        let client = tokio::time::timeout(CONNECT_WITHIN, options.connect(servers))
            .await
            .map_err(|_| cannot(format!("no answer within {} s", CONNECT_WITHIN.as_secs())))?
            .map_err(|e| cannot(e.to_string()))?;
        let subscriber = client
            .subscribe(format!("{SUBJECTS}.>"))
            .await
            .map_err(|e| cannot(format!("subscribing: {e}")))?;
        // The server has the subscription once it answers a flush: from now on nothing
        // published by another node is missed unless NATS drops it.
        tokio::time::timeout(CONNECT_WITHIN, client.flush())
            .await
            .map_err(|_| cannot("no answer to a flush".into()))?
            .map_err(|e| cannot(e.to_string()))?;
        let (outgoing, queue) = mpsc::channel(PUBLISH_QUEUE);
        tokio::spawn(publish(client.clone(), queue));
        tokio::spawn(receive(subscriber, Arc::clone(&local), Arc::clone(&node)));
        tracing::info!(url, node = %node, "NATS connected: pushes reach every node");
        Ok(NatsHub {
            local,
            node,
            client,
            outgoing,
            dropped: AtomicU64::new(0),
        })
    }
}

impl Hub for NatsHub {
    fn register(
        &self,
        user: &UserKey,
        session: SessionId,
        outbox: Arc<Outbox>,
        max_sessions: usize,
    ) -> Result<(), TooManySessions> {
        // The cap counts this node's sessions: a cluster-wide count would cost a round trip on
        // every login.
        self.local.register(user, session, outbox, max_sessions)
    }

    fn unregister(&self, user: &UserKey, session: SessionId) {
        self.local.unregister(user, session);
    }

    fn push(&self, user: &UserKey, except: Option<SessionId>, delivery: &Delivery) {
        self.local.push(user, except, delivery);
        if delivery.kind != Kind::Frame {
            return;
        }
        let envelope = Envelope {
            node: Cow::Borrowed(&self.node),
            app: user.sdk_app_id,
            user: Cow::Borrowed(&user.user_id),
            ev: delivery.ev,
            frame: Cow::Borrowed(&delivery.frame),
        };
        let payload = match serde_json::to_vec(&envelope) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!("encoding a push for NATS: {e}");
                return;
            }
        };
        let push = Outgoing::Push {
            subject: subject(user),
            payload,
        };
        if self.outgoing.try_send(push).is_err() {
            // The other nodes' sessions fill this from the store on their next event.
            let dropped = self.dropped.fetch_add(1, Ordering::Relaxed);
            if dropped.is_multiple_of(1000) {
                tracing::warn!(
                    dropped = dropped + 1,
                    "NATS publish queue full: pushes dropped"
                );
            }
        }
    }

    fn session_count(&self, user: &UserKey) -> usize {
        self.local.session_count(user)
    }

    fn link_up(&self) -> Option<bool> {
        Some(self.client.connection_state() == State::Connected)
    }

    fn flush(&self) -> futures::future::BoxFuture<'_, ()> {
        Box::pin(async move {
            let (done, flushed) = oneshot::channel();
            let handed = async {
                self.outgoing.send(Outgoing::Flush(done)).await.is_ok() && flushed.await.is_ok()
            };
            match tokio::time::timeout(FLUSH_WITHIN, handed).await {
                Ok(true) => tracing::info!("pushes for other nodes handed to NATS"),
                _ => tracing::warn!(
                    "pushes for other nodes not all handed to NATS within {} s \
                     (their sessions fill them from the database)",
                    FLUSH_WITHIN.as_secs()
                ),
            }
        })
    }
}

/// Logs the link's ups and downs; when it is up again, every session checks the store for
/// pushes it missed meanwhile.
fn link_events(
    local: Arc<LocalHub>,
) -> impl Fn(Event) -> futures::future::Ready<()> + Send + Sync + 'static {
    move |event| {
        match event {
            Event::Connected => {
                tracing::info!("NATS link up; sessions check for missed pushes");
                local.check_all();
            }
            Event::Disconnected => {
                tracing::warn!("NATS link lost; reconnecting (sessions catch up from the database)")
            }
            other => tracing::warn!("NATS: {other}"),
        }
        futures::future::ready(())
    }
}

/// Hands queued pushes to the NATS client, in order.
async fn publish(client: Client, mut queue: mpsc::Receiver<Outgoing>) {
    while let Some(item) = queue.recv().await {
        match item {
            Outgoing::Push { subject, payload } => {
                if let Err(e) = client.publish(subject, payload.into()).await {
                    tracing::warn!("publishing a push on NATS: {e}");
                }
            }
            Outgoing::Flush(done) => {
                if let Err(e) = client.flush().await {
                    tracing::warn!("flushing pushes to NATS: {e}");
                }
                let _ = done.send(());
            }
        }
    }
}

/// Delivers the other nodes' pushes to this node's sessions.
async fn receive(mut subscriber: Subscriber, local: Arc<LocalHub>, node: Arc<str>) {
    while let Some(message) = subscriber.next().await {
        let envelope: Envelope<'_> = match serde_json::from_slice(&message.payload) {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(subject = %message.subject, "not a push on NATS: {e}");
                continue;
            }
        };
        if envelope.node == *node {
            continue;
        }
        let user = UserKey {
            sdk_app_id: envelope.app,
            user_id: envelope.user.into_owned(),
        };
        if local.session_count(&user) == 0 {
            continue;
        }
        let frame: Arc<str> = envelope.frame.into();
        local.push(&user, None, &Delivery::text(envelope.ev, frame));
    }
    tracing::warn!("NATS subscription ended: no more pushes from other nodes");
}

/// A random name for this node's run.
fn node_id() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        // Unique enough among nodes: the process ID and the start time.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        bytes[..4].copy_from_slice(&std::process::id().to_be_bytes());
        bytes[4..].copy_from_slice(&nanos.to_be_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_per_app_and_user_and_safe_for_any_user_id() {
        let user = UserKey {
            sdk_app_id: 7,
            user_id: "a.b>*".into(),
        };
        assert_eq!(subject(&user), "tim.ev.7.612e623e2a");
    }

    #[test]
    fn envelopes_round_trip_with_the_frame_text_unchanged() {
        let frame = r#"{"kind":"push","ev":3,"value":{"text":"say \"hi\""}}"#;
        let envelope = Envelope {
            node: "n1".into(),
            app: 7,
            user: "alice".into(),
            ev: Some(3),
            frame: frame.into(),
        };
        let bytes = serde_json::to_vec(&envelope).expect("encodes");
        let back: Envelope<'_> = serde_json::from_slice(&bytes).expect("decodes");
        assert_eq!((back.ev, back.user.as_ref()), (Some(3), "alice"));
        assert_eq!(back.frame, frame);
    }
}
