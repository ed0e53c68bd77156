//! The documented synchronous getters: they answer from what the SDK holds, at once.

use super::Inner;
use tim_core::readiness::Readiness;

impl Inner {
    pub fn is_ready(&self) -> bool {
        self.session().readiness == Readiness::Ready
    }

    /// The logged-in user's ID; "" when no one is logged in.
    pub fn login_user(&self) -> String {
        if self.is_ready() {
            self.me().unwrap_or_default()
        } else {
            String::new()
        }
    }

    /// Unix seconds on the server's clock (see `tim_core::server_clock`).
    pub fn server_time(&self) -> i64 {
        self.session().clock.now_s(crate::js::now_ms())
    }

    /// The unread total of the SDK's list (what TOTAL_UNREAD_MESSAGE_COUNT_UPDATED last said);
    /// 0 when not logged in.
    pub fn total_unread(&self) -> u32 {
        let s = self.session();
        match (&s.state, s.readiness) {
            (Some(state), Readiness::Ready) => state.total_unread(),
            _ => 0,
        }
    }
}
