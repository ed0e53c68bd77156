//! Whether the SDK may run a call, and the documented code when it may not.

use crate::error::SdkError;
use tim_proto::ErrorCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// Created, never logged in.
    New,
    LoggingIn,
    Ready,
    LoggedOut,
    LoginFailed,
    Destroyed,
}

impl Readiness {
    /// Calls other than login/logout/destroy/on/off need a ready SDK.
    pub fn check_ready(self) -> Result<(), SdkError> {
        let (code, why) = match self {
            Readiness::Ready => return Ok(()),
            Readiness::New | Readiness::LoggingIn => {
                (ErrorCode::NotLoggedIn, "not logged in: call login() first")
            }
            Readiness::LoggedOut => (
                ErrorCode::NotReadyLoggedOut,
                "the SDK logged out: call login() again",
            ),
            Readiness::LoginFailed => (
                ErrorCode::NotReadyLoginFailed,
                "the last login failed: call login() again",
            ),
            Readiness::Destroyed => (
                ErrorCode::Destroyed,
                "this instance was destroyed: call TIM.create() again",
            ),
        };
        Err(SdkError::new(code, why))
    }

    /// login() is allowed unless a login is under way or done.
    pub fn check_can_login(self) -> Result<(), SdkError> {
        match self {
            Readiness::LoggingIn | Readiness::Ready => Err(SdkError::new(
                ErrorCode::RepeatedLogin,
                "already logged in or logging in: call logout() first",
            )),
            Readiness::Destroyed => Readiness::Destroyed.check_ready(),
            _ => Ok(()),
        }
    }

    /// logout(): `Ok(true)` when there is a session to end, `Ok(false)` when there is none
    /// (resolves at once), the destroyed refusal after destroy().
    #[inline]
    pub fn needs_logout(self) -> Result<bool, SdkError> {
        match self {
            Readiness::Destroyed => self.check_ready().map(|_| false),
            Readiness::New | Readiness::LoggedOut | Readiness::LoginFailed => Ok(false),
            Readiness::Ready | Readiness::LoggingIn => Ok(true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logout_ends_a_session_or_a_login_under_way_only() {
        assert_eq!(Readiness::Ready.needs_logout(), Ok(true));
        assert_eq!(Readiness::LoggingIn.needs_logout(), Ok(true));
        assert_eq!(Readiness::New.needs_logout(), Ok(false));
        assert_eq!(Readiness::LoggedOut.needs_logout(), Ok(false));
        assert_eq!(Readiness::LoginFailed.needs_logout(), Ok(false));
        assert_eq!(
            Readiness::Destroyed.needs_logout().err().map(|e| e.code),
            Some(ErrorCode::Destroyed)
        );
    }

    #[test]
    fn documented_not_ready_codes() {
        let code = |r: Readiness| r.check_ready().err().map(|e| e.code);
        assert_eq!(code(Readiness::Ready), None);
        assert_eq!(code(Readiness::New), Some(ErrorCode::NotLoggedIn));
        assert_eq!(code(Readiness::LoggingIn), Some(ErrorCode::NotLoggedIn));
        assert_eq!(
            code(Readiness::LoggedOut),
            Some(ErrorCode::NotReadyLoggedOut)
        );
        assert_eq!(
            code(Readiness::LoginFailed),
            Some(ErrorCode::NotReadyLoginFailed)
        );
    }

    #[test]
    fn login_twice_is_refused_but_login_after_logout_is_not() {
        assert!(Readiness::New.check_can_login().is_ok());
        assert!(Readiness::LoggedOut.check_can_login().is_ok());
        assert!(Readiness::LoginFailed.check_can_login().is_ok());
        assert_eq!(
            Readiness::Ready.check_can_login().err().map(|e| e.code),
            Some(ErrorCode::RepeatedLogin)
        );
        assert_eq!(
            Readiness::Destroyed.check_can_login().err().map(|e| e.code),
            Some(ErrorCode::Destroyed)
        );
    }
}
