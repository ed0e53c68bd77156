//! getConversationList's pages: a keyset cursor on the list's own order.
//!
//! The list is ordered by `pinned DESC, update_time DESC, last_activity DESC, conversation_id`.
//! A page's cursor is those four values of its last entry, and the next page is what sorts
//! after them. Unlike an offset, that stays correct while the list changes between pages: a
//! conversation that is deleted, or that moves, shifts no other entry past the cursor, so every
//! entry that did not change meanwhile is in exactly one page. One that changed (a message, a
//! pin, a read) was pushed to the session, which fetches it again once the pages are in
//! (docs/protocol.md "Paging").

use super::ConversationView;

/// Where a conversation stands in its owner's list: the list order's columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListKey {
    pub pinned: bool,
    pub update_time: i64,
    pub activity: i64,
    pub conversation_id: String,
}

impl ListKey {
    /// The cursor's text on the wire, `pinned:update_time:activity:conversationID` (opaque to
    /// clients; IDs may hold `:`, which is why the ID comes last).
    pub fn encode(&self) -> String {
        format!(
            "{}:{}:{}:{}",
            u8::from(self.pinned),
            self.update_time,
            self.activity,
            self.conversation_id
        )
    }

    /// A cursor made by [`ListKey::encode`]; `None` for anything else.
    pub fn decode(text: &str) -> Option<ListKey> {
        let mut parts = text.splitn(4, ':');
        let pinned = match parts.next()? {
            "0" => false,
            "1" => true,
            _ => return None,
        };
        let update_time = parts.next()?.parse().ok()?;
        let activity = parts.next()?.parse().ok()?;
        let conversation_id = parts.next()?.to_owned();
        Some(ListKey {
            pinned,
            update_time,
            activity,
            conversation_id,
        })
    }
}

/// One page of the list, in list order, and the cursor of the next (`None`: the last page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPage {
    pub conversations: Vec<ConversationView>,
    pub next: Option<ListKey>,
}

/// Cuts `rows` (read with one row more than `limit`) down to `limit`; whether the list goes on.
pub fn cut_to(rows: &mut Vec<ConversationView>, limit: u32) -> bool {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    more
}

/// The page of `rows` (read with one row more than `limit`): the next page starts after its
/// last entry, if the list goes on.
pub fn page(mut rows: Vec<ConversationView>, limit: u32) -> ListPage {
    let more = cut_to(&mut rows, limit);
    let next = rows.last().filter(|_| more).map(ListKey::of);
    ListPage {
        conversations: rows,
        next,
    }
}

impl ListKey {
    /// The position of `view` in its owner's list.
    pub fn of(view: &ConversationView) -> ListKey {
        ListKey {
            pinned: view.pinned,
            update_time: view.update_time,
            activity: view.activity,
            conversation_id: view.conversation_id.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_odd_text_is_refused() {
        let key = ListKey {
            pinned: true,
            update_time: 1_700_000_000,
            activity: -3,
            conversation_id: "C2Ca:b:c".into(),
        };
        assert_eq!(key.encode(), "1:1700000000:-3:C2Ca:b:c");
        assert_eq!(ListKey::decode(&key.encode()), Some(key));
        for bad in ["", "2:1:1:C2Ca", "1:x:1:C2Ca", "1:1:1", "0:1:1.5:C2Ca"] {
            assert_eq!(ListKey::decode(bad), None, "{bad}");
        }
    }
}
