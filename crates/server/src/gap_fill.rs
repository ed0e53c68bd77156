//! Each session gets every event of its user exactly once and in order, even when a push is
//! lost on its way (NATS core pub/sub may drop one, a node may lose its NATS link for a while).
//!
//! A session knows the newest event number it has (`last`). Event numbers of a user are dense
//! (1, 2, 3, ... in commit order) and every logged event reaches each session either as a push
//! or, for the session that made it, as a [`Kind::Mark`]. So a push numbered beyond `last + 1`
//! means pushes in between were lost: they are read from the store's event log, which is the
//! truth, and written before the push itself. A push at or below `last` is a copy (it came
//! both from the log and over NATS) and is dropped.

use crate::hub::{Delivery, Kind, UserKey};
use crate::service::Service;
use tim_proto::frame::LoggedEvent;

/// What a session does with one delivery, given the newest event it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// A copy of an event the session has, or a mark of the next one (which the session then
    /// has): nothing to write.
    Skip,
    /// Write it (next in order, or not logged).
    Write,
    /// Read the log after `after` first: every event before `before` (all of them when
    /// `None`), then handle the delivery as its kind says.
    Fill { after: u64, before: Option<u64> },
}

pub fn plan(last: u64, delivery: &Delivery) -> Plan {
    match (delivery.kind, delivery.ev) {
        (Kind::Check, _) => Plan::Fill {
            after: last,
            before: None,
        },
        (_, Some(ev)) if ev <= last => Plan::Skip,
        (_, Some(ev)) if ev > last + 1 => Plan::Fill {
            after: last,
            before: Some(ev),
        },
        (Kind::Mark, _) => Plan::Skip,
        (Kind::Frame, _) => Plan::Write,
    }
}

/// The log could not close the gap (the events were trimmed, or too many were missed): the
/// session must be closed, and the client resyncs when it reconnects.
#[derive(Debug)]
pub struct Unfillable;

/// The events after `after` and before `before` from the store, oldest first; exactly the
/// missing numbers, or [`Unfillable`].
pub async fn missing(
    service: &Service,
    user: &UserKey,
    after: u64,
    before: Option<u64>,
) -> Result<Vec<LoggedEvent>, Unfillable> {
    let catchup = service.log_after(user, after).await.map_err(|e| {
        tracing::warn!(user = %user.user_id, after, "filling a gap in pushes: {}", e.message);
        Unfillable
    })?;
    if catchup.resync_required {
        return Err(Unfillable);
    }
    let events: Vec<LoggedEvent> = catchup
        .missed
        .into_iter()
        .filter(|e| before.is_none_or(|b| e.ev < b))
        .collect();
    let dense = events.iter().zip(after + 1..).all(|(e, n)| e.ev == n);
    let complete = before.is_none_or(|b| after + events.len() as u64 + 1 == b);
    if !dense || !complete {
        tracing::warn!(user = %user.user_id, after, ?before, "the log does not cover a gap in pushes");
        return Err(Unfillable);
    }
    if !events.is_empty() {
        tracing::debug!(user = %user.user_id, after, filled = events.len(), "filled a gap in pushes");
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tim_proto::Push;

    fn push(ev: u64) -> Delivery {
        Delivery::new(Some(ev), Push::GroupsChanged)
    }

    #[test]
    fn the_next_event_is_written_copies_skipped_gaps_filled() {
        assert_eq!(plan(4, &push(5)), Plan::Write);
        assert_eq!(plan(4, &push(4)), Plan::Skip);
        assert_eq!(plan(4, &push(2)), Plan::Skip);
        assert_eq!(
            plan(4, &push(7)),
            Plan::Fill {
                after: 4,
                before: Some(7)
            }
        );
        assert_eq!(
            plan(4, &Delivery::new(None, Push::GroupsChanged)),
            Plan::Write
        );
    }

    #[test]
    fn marks_only_fill_and_checks_read_everything_newer() {
        assert_eq!(plan(4, &Delivery::mark(5)), Plan::Skip);
        assert_eq!(
            plan(4, &Delivery::mark(6)),
            Plan::Fill {
                after: 4,
                before: Some(6)
            }
        );
        assert_eq!(
            plan(4, &Delivery::check()),
            Plan::Fill {
                after: 4,
                before: None
            }
        );
    }
}
