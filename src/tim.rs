//! The `Tim` class JS sees: every method returns a real Promise resolving `{ code: 0, data }` or
//! rejecting with a real `Error` carrying `code`, `message` and `data`.

use crate::client::Inner;
use crate::js;
use crate::js::{Json, Object};
use js_sys::{Function, Promise};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use tim_core::args::CreateOptions;
use tim_core::log_level::{Kind, LogLevel};
use tim_core::SdkError;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

#[wasm_bindgen]
pub struct Tim {
    inner: Rc<Inner>,
    on_destroy: RefCell<Option<Function>>,
}

/// A call's outcome, boxed so that one promise adapter serves every method (each generic
/// `future_to_promise` would inline its method's whole state machine into a copy of its own).
type Call = Pin<Box<dyn Future<Output = Result<Json, SdkError>>>>;

fn promise(f: Call) -> Promise {
    future_to_promise(async move {
        f.await
            .map(js::ok_response)
            .map_err(|e| js::error_to_js(&e))
    })
}

impl Tim {
    pub fn new(options: CreateOptions, on_destroy: Function, upload: Function) -> Tim {
        Tim {
            inner: Rc::new(Inner::new(options, upload)),
            on_destroy: RefCell::new(Some(on_destroy)),
        }
    }

    fn inner(&self) -> Rc<Inner> {
        Rc::clone(&self.inner)
    }
}

#[wasm_bindgen]
impl Tim {
    /// The SDKAppID this instance was created with.
    #[wasm_bindgen(getter, js_name = SDKAppID)]
    pub fn sdk_app_id(&self) -> f64 {
        self.inner.sdk_app_id() as f64
    }

    pub fn login(&self, options: JsValue) -> Promise {
        promise(Box::pin(self.inner().login(js::arg(&options))))
    }

    pub fn logout(&self) -> Promise {
        promise(Box::pin(self.inner().logout()))
    }

    pub fn destroy(&self) -> Promise {
        let hook = self.on_destroy.borrow_mut().take();
        promise(Box::pin(self.inner().destroy(hook)))
    }

    pub fn on(&self, event_name: String, handler: Function) {
        self.inner.handlers.on(event_name, handler);
    }

    pub fn off(&self, event_name: String, handler: Option<Function>) {
        self.inner.handlers.off(&event_name, handler.as_ref());
    }

    pub fn once(&self, event_name: String, handler: Function) {
        self.inner.handlers.once(event_name, handler);
    }

    #[wasm_bindgen(js_name = isReady)]
    pub fn is_ready(&self) -> bool {
        self.inner.is_ready()
    }

    #[wasm_bindgen(js_name = getLoginUser)]
    pub fn get_login_user(&self) -> String {
        self.inner.login_user()
    }

    #[wasm_bindgen(js_name = getServerTime)]
    pub fn get_server_time(&self) -> f64 {
        self.inner.server_time() as f64
    }

    #[wasm_bindgen(js_name = getTotalUnreadMessageCount)]
    pub fn get_total_unread_message_count(&self) -> u32 {
        self.inner.total_unread()
    }

    /// Tencent's levels 0 (all, the default) to 4 (none); a value that is not one is refused
    /// with a warning and the level stays.
    #[wasm_bindgen(js_name = setLogLevel)]
    pub fn set_log_level(&self, level: JsValue) {
        match LogLevel::parse(&js::arg(&level)) {
            Some(level) => crate::log::set_level(level),
            None => crate::log::write(
                Kind::Warn,
                "setLogLevel takes 0 (all), 1 (release), 2 (warnings), 3 (errors) or 4 (none)",
            ),
        }
    }

    /// createTextMessage and the other creators of `CREATORS` (the package entry installs each
    /// under its name, with `file`: what `payload.file` stands for, or null). Synchronous, as
    /// documented: throws an Error with a code when it cannot make the message.
    #[wasm_bindgen(js_name = __create)]
    pub fn create_message(
        &self,
        method: String,
        options: JsValue,
        file: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.inner
            .create_message(&method, &js::arg(&options), file)
            .map(|m| js::to_js(&m))
            .map_err(|e| js::error_to_js(&e))
    }

    /// sendMessage and resendMessage (`resend`; the package entry installs both, with `file`:
    /// the entry's `fileOf` of the creator that made this message, if any). The message
    /// object is updated in place too (status, sequence, time, and the payload with its links
    /// once an image or file is uploaded), as apps written for the documented SDK expect.
    #[wasm_bindgen(js_name = __send)]
    pub fn send_message(&self, message: JsValue, resend: bool, file: JsValue) -> Promise {
        let inner = self.inner();
        let target = message.clone();
        promise(Box::pin(async move {
            let result = inner.send_message(js::arg(&message), resend, file).await;
            let status = if result.is_ok() { "success" } else { "fail" };
            if target.is_object() {
                let _ = js_sys::Reflect::set(&target, &"status".into(), &status.into());
            }
            let sent = result?;
            if target.is_object() {
                for (k, v) in [
                    ("sequence", JsValue::from(sent.sequence as f64)),
                    ("time", JsValue::from(sent.time as f64)),
                    ("payload", js::to_js(&sent.payload)),
                ] {
                    let _ = js_sys::Reflect::set(&target, &k.into(), &v);
                }
            }
            Ok(Object::new().field("message", &sent).end())
        }))
    }

    #[wasm_bindgen(js_name = getConversationList)]
    pub fn get_conversation_list(&self) -> Promise {
        promise(Box::pin(self.inner().get_conversation_list()))
    }

    #[wasm_bindgen(js_name = getMessageList)]
    pub fn get_message_list(&self, options: JsValue) -> Promise {
        promise(Box::pin(self.inner().get_message_list(js::arg(&options))))
    }

    /// Every call of `tim_core::calls::all_names` (js/index.js installs each as a method).
    #[wasm_bindgen(js_name = __call)]
    pub fn call(&self, name: String, options: JsValue) -> Promise {
        promise(Box::pin(self.inner().call(name, options)))
    }

    #[wasm_bindgen(js_name = deleteConversation)]
    pub fn delete_conversation(&self, arg: JsValue) -> Promise {
        promise(Box::pin(self.inner().delete_conversation(js::arg(&arg))))
    }
}
