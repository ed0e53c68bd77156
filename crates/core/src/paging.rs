//! Putting the server's pages together (docs/protocol.md "Paging"): the conversation list and
//! a reconnect's catch-up come in bounded pages, and the SDK asks for the next until it has
//! all of them, then answers getConversationList / goes on as if it had been one answer.

use crate::SdkError;
use tim_proto::frame::LoggedEvent;
use tim_proto::model::WireConversation;
use tim_proto::{Push, Reply, Request};

/// getConversationList's pages as they come.
#[derive(Debug, Default)]
pub struct ListPages {
    list: Vec<WireConversation>,
    pages: u32,
}

impl ListPages {
    /// Takes one page's answer: the request for the next page, or `None` once the list is whole.
    /// Anything but a list page is an error (unexpected).
    pub fn take(&mut self, reply: Reply) -> Result<Option<Request>, SdkError> {
        let Reply::ConversationList {
            conversations,
            cursor,
        } = reply
        else {
            return Err(crate::calls::unexpected(&reply));
        };
        self.list.extend(conversations);
        self.pages += 1;
        Ok(cursor.map(|cursor| Request::GetMoreConversations { cursor }))
    }

    /// Whether the list took more than one page, so that it may have changed while it came.
    pub fn paged(&self) -> bool {
        self.pages > 1
    }

    /// The list, in the server's order. A conversation that moved down between two pages is
    /// in both: [`crate::state::ConversationState::replace_all`] keeps the later one.
    pub fn finish(self) -> Vec<WireConversation> {
        self.list
    }
}

/// Adds the conversations a push changes to `touched` (once each). While the list comes in
/// pages, a page read before such a push holds the conversation as it was: the SDK fetches these
/// again once the pages are in.
pub fn note_touched(push: &Push, touched: &mut Vec<String>) {
    let ids: &[String] = match push {
        Push::Message { message } | Push::MessageEdited { message } => {
            std::slice::from_ref(&message.conversation_id)
        }
        Push::ConversationDeleted {
            conversation_id, ..
        }
        | Push::HistoryCleared {
            conversation_id, ..
        }
        | Push::ConversationRead {
            conversation_id, ..
        }
        | Push::ConversationPinned(conversation_id)
        | Push::ConversationUnpinned(conversation_id) => std::slice::from_ref(conversation_id),
        // The setting first, then the conversations it was set for.
        Push::MessageRemindType(parts) => parts.get(1..).unwrap_or_default(),
        _ => &[],
    };
    for id in ids {
        if !touched.contains(id) {
            touched.push(id.clone());
        }
    }
}

/// After one catch-up page (`loggedIn.missed`, or a `missed` answer): the request for the next,
/// or `None` when the catch-up is done (an empty page ends it too, so it cannot go round).
pub fn next_missed(page: &[LoggedEvent], more: bool) -> Option<Request> {
    let last = page.last()?;
    more.then_some(Request::GetMissed { after: last.ev })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(id: &str, unread: u32) -> WireConversation {
        WireConversation {
            unread_count: unread,
            ..crate::fixtures::conversation(id)
        }
    }

    fn page(ids: &[(&str, u32)], cursor: Option<&str>) -> Reply {
        Reply::ConversationList {
            conversations: ids.iter().map(|(id, n)| conv(id, *n)).collect(),
            cursor: cursor.map(str::to_owned),
        }
    }

    #[test]
    fn pages_are_asked_for_until_no_cursor_and_put_together_in_order() {
        let mut pages = ListPages::default();
        let next = pages.take(page(&[("C2Ca", 1), ("C2Cb", 0)], Some("k1")));
        assert_eq!(
            next.ok(),
            Some(Some(Request::GetMoreConversations {
                cursor: "k1".into()
            }))
        );
        assert!(!pages.paged());
        assert_eq!(pages.take(page(&[("C2Cc", 2)], None)).ok(), Some(None));
        assert!(pages.paged());
        let ids: Vec<String> = pages
            .finish()
            .into_iter()
            .map(|c| c.conversation_id)
            .collect();
        assert_eq!(ids, ["C2Ca", "C2Cb", "C2Cc"]);
    }

    #[test]
    fn one_page_is_the_whole_list_and_other_answers_are_handed_back() {
        let mut pages = ListPages::default();
        assert_eq!(pages.take(page(&[("C2Ca", 0)], None)).ok(), Some(None));
        assert!(!pages.paged());
        assert_eq!(pages.finish().len(), 1);
        let other = ListPages::default().take(Reply::Done);
        assert_eq!(
            other.map_err(|e| e.code).err(),
            Some(tim_proto::ErrorCode::Internal)
        );
    }

    #[test]
    fn a_conversation_in_two_pages_is_listed_once_as_the_later_had_it() {
        let mut pages = ListPages::default();
        let mut old = conv("C2Cpinned", 0);
        old.pinned = true;
        let _ = pages.take(Reply::ConversationList {
            conversations: vec![old, conv("C2Ca", 0)],
            cursor: Some("k".into()),
        });
        // Unpinned meanwhile: it moved down, into the next page, with what it holds now.
        let _ = pages.take(page(&[("C2Cb", 0), ("C2Cpinned", 3)], None));
        let mut state = crate::state::ConversationState::new("me");
        state.replace_all(pages.finish());
        let got: Vec<(String, u32, bool)> = state
            .list()
            .into_iter()
            .map(|c| (c.conversation_id, c.unread_count, c.is_pinned))
            .collect();
        assert_eq!(got.len(), 3);
        assert!(got.contains(&("C2Cpinned".into(), 3, false)), "{got:?}");
        assert_eq!(state.total_unread(), 3);
    }

    #[test]
    fn the_catch_up_goes_on_after_the_last_event_of_each_page() {
        let ev = |ev| LoggedEvent {
            ev,
            push: Push::GroupsChanged,
        };
        assert_eq!(
            next_missed(&[ev(5), ev(6)], true),
            Some(Request::GetMissed { after: 6 })
        );
        assert_eq!(next_missed(&[ev(5), ev(6)], false), None);
        assert_eq!(next_missed(&[], true), None);
    }

    #[test]
    fn pushes_name_the_conversations_they_change_once_each() {
        let mut touched = Vec::new();
        note_touched(&Push::ConversationPinned("C2Ca".into()), &mut touched);
        note_touched(
            &Push::remind_change("AcceptNotNotify", &["C2Ca".into(), "GROUPg".into()]),
            &mut touched,
        );
        note_touched(&Push::GroupsChanged, &mut touched);
        note_touched(&Push::MessageRemindType(Vec::new()), &mut touched);
        assert_eq!(touched, ["C2Ca", "GROUPg"]);
    }
}
