//! Tabs of the same user in one browser: a BroadcastChannel per (SDKAppID, userID) carries local
//! changes to the other tabs at once; the IndexedDB cache is already shared.

use tim_core::tab_note::TabNote;
use wasm_bindgen::prelude::*;
use web_sys::{BroadcastChannel, MessageEvent};

pub struct Tabs {
    channel: BroadcastChannel,
    // Kept alive as long as the channel: it is the onmessage handler.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl Tabs {
    /// `None` where BroadcastChannel is missing: each tab then only sees its own changes.
    pub fn open(
        sdk_app_id: u64,
        user_id: &str,
        on_note: impl Fn(TabNote) + 'static,
    ) -> Option<Tabs> {
        let channel = BroadcastChannel::new(&format!("tim-wasm/{sdk_app_id}/{user_id}")).ok()?;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let Some(note) = e
                .data()
                .as_string()
                .and_then(|text| crate::js::from_json_text::<TabNote>(&text))
            else {
                return;
            };
            on_note(note);
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Some(Tabs {
            channel,
            _on_message: on_message,
        })
    }

    pub fn post(&self, note: &TabNote) {
        // Text: the channel would structured-clone an object anyway, and one string is cheaper.
        let Some(text) = crate::js::to_json_text(note) else {
            return;
        };
        // A closed channel (page unloading) only loses the note for tabs that are going away.
        let _ = self.channel.post_message(&JsValue::from_str(&text));
    }
}

impl Drop for Tabs {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}
