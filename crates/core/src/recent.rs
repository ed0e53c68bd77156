//! The cache's recent messages: how new messages are grouped for writing, and the page of them
//! getMessageList answers with when there is no connection.

use crate::error::SdkError;
use crate::sort::sort_by;
use tim_proto::{ErrorCode, WireMessage};

/// Recent messages kept per conversation.
pub const RECENT_MESSAGES: usize = 100;

/// A conversation's recent messages after adding `new` to `cached`: sorted by seq, without
/// repeats (a new copy, of a revoked or modified message, replaces the one kept before), above
/// the conversation's deletion `watermark`, the newest [`RECENT_MESSAGES`].
#[inline]
pub fn merge(new: Vec<WireMessage>, cached: Vec<WireMessage>, watermark: u64) -> Vec<WireMessage> {
    // The new copies first: the sort keeps their order, and the dedup keeps them.
    let mut list: Vec<WireMessage> = new.into_iter().filter(|m| m.seq > watermark).collect();
    list.extend(cached);
    sort_by(&mut list, |a, b| a.seq.cmp(&b.seq));
    list.dedup_by_key(|m| m.seq);
    let skip = list.len().saturating_sub(RECENT_MESSAGES);
    list.split_off(skip)
}

/// The cached messages a new deletion `watermark` leaves, or `None` when it leaves them all.
#[inline]
pub fn trim(mut list: Vec<WireMessage>, watermark: u64) -> Option<Vec<WireMessage>> {
    let before = list.len();
    list.retain(|m| m.seq > watermark);
    (list.len() != before).then_some(list)
}

/// Grouped by conversation (in ID order), each group keeping its arrival order: one cache write
/// per conversation.
#[inline]
pub fn by_conversation(mut messages: Vec<WireMessage>) -> Groups {
    sort_by(&mut messages, |a, b| {
        a.conversation_id.cmp(&b.conversation_id)
    });
    Groups(messages.into_iter().peekable())
}

/// The groups of [`by_conversation`]: `(conversationID, its messages)`.
pub struct Groups(std::iter::Peekable<std::vec::IntoIter<WireMessage>>);

impl Iterator for Groups {
    type Item = (String, Vec<WireMessage>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let first = self.0.next()?;
        let id = first.conversation_id.clone();
        let mut list = vec![first];
        while let Some(m) = self.0.next_if(|m| m.conversation_id == id) {
            list.push(m);
        }
        Some((id, list))
    }
}

/// One page of a conversation's cached messages (oldest first), as getMessageList pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<'a> {
    /// `all[start..end]` is the page.
    pub start: usize,
    pub end: usize,
    /// The anchor of the next (older) page; empty when this page reaches the oldest.
    pub next_req_message_id: &'a str,
    pub is_completed: bool,
}

/// The `count` messages before `anchor` (a message ID of `all`), or the newest `count`.
#[inline]
pub fn page<'a>(
    all: &'a [WireMessage],
    anchor: Option<&str>,
    count: u32,
    conversation_id: &str,
) -> Result<Page<'a>, SdkError> {
    let end = match anchor {
        Some(anchor) => all.iter().position(|m| m.id == anchor).ok_or_else(|| {
            SdkError::new(
                ErrorCode::MessageNotFound,
                format!("nextReqMessageID {anchor:?} is not a cached message of {conversation_id}"),
            )
        })?,
        None => all.len(),
    };
    let start = end.saturating_sub(count as usize);
    let next_req_message_id = if start > 0 {
        all[start].id.as_str()
    } else {
        ""
    };
    Ok(Page {
        start,
        end,
        next_req_message_id,
        is_completed: start == 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tim_proto::model::WireBody;

    fn msg(conv: &str, id: &str) -> WireMessage {
        WireMessage {
            id: id.into(),
            body: WireBody::Text { text: "t".into() },
            ..crate::fixtures::text_message(conv, "bob", "alice")
        }
    }

    fn seq(conv: &str, seq: u64, text: &str) -> WireMessage {
        WireMessage {
            seq,
            body: WireBody::Text { text: text.into() },
            ..msg(conv, &seq.to_string())
        }
    }

    #[test]
    fn merging_keeps_the_newest_copy_of_each_seq_above_the_watermark() {
        let cached = vec![seq("C2Cb", 2, "old"), seq("C2Cb", 3, "three")];
        let new = vec![
            seq("C2Cb", 1, "gone"),
            seq("C2Cb", 2, "edited"),
            seq("C2Cb", 4, "four"),
        ];
        let merged = merge(new, cached, 1);
        let seen: Vec<(u64, String)> = merged
            .iter()
            .map(|m| match &m.body {
                WireBody::Text { text } => (m.seq, text.clone()),
                _ => (m.seq, String::new()),
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (2, "edited".into()),
                (3, "three".into()),
                (4, "four".into())
            ]
        );
    }

    #[test]
    fn merging_keeps_only_the_newest_recent_messages() {
        let new: Vec<WireMessage> = (1..=RECENT_MESSAGES as u64 + 5)
            .map(|n| seq("C2Cb", n, "t"))
            .collect();
        let merged = merge(new, Vec::new(), 0);
        assert_eq!(merged.len(), RECENT_MESSAGES);
        assert_eq!(merged[0].seq, 6);
    }

    #[test]
    fn a_watermark_trims_only_when_it_covers_something() {
        let list = vec![seq("C2Cb", 2, "a"), seq("C2Cb", 5, "b")];
        assert_eq!(trim(list.clone(), 1), None);
        let left = trim(list, 2).expect("trimmed");
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].seq, 5);
    }

    #[test]
    fn groups_by_conversation_keeping_arrival_order() {
        let groups = by_conversation(vec![
            msg("C2Cc", "1"),
            msg("C2Ca", "2"),
            msg("C2Cc", "3"),
            msg("C2Ca", "4"),
        ]);
        let ids: Vec<(String, Vec<String>)> = groups
            .into_iter()
            .map(|(c, l)| (c, l.into_iter().map(|m| m.id).collect()))
            .collect();
        assert_eq!(
            ids,
            vec![
                ("C2Ca".into(), vec!["2".into(), "4".into()]),
                ("C2Cc".into(), vec!["1".into(), "3".into()]),
            ]
        );
    }

    #[test]
    fn pages_back_from_the_newest_to_the_oldest() {
        let all: Vec<WireMessage> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|id| msg("C2Cbob", id))
            .collect();
        let first = page(&all, None, 2, "C2Cbob").expect("page");
        assert_eq!(
            first,
            Page {
                start: 3,
                end: 5,
                next_req_message_id: "d",
                is_completed: false
            }
        );
        let second = page(&all, Some("d"), 2, "C2Cbob").expect("page");
        assert_eq!((second.start, second.end), (1, 3));
        assert_eq!(second.next_req_message_id, "b");
        let last = page(&all, Some("b"), 2, "C2Cbob").expect("page");
        assert_eq!((last.start, last.end, last.is_completed), (0, 1, true));
        assert_eq!(last.next_req_message_id, "");
        let missing = page(&all, Some("zz"), 2, "C2Cbob").expect_err("no such anchor");
        assert_eq!(missing.code, ErrorCode::MessageNotFound);
        assert!(missing.message.contains("\"zz\""));
    }
}
