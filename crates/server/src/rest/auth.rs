//! Who may call the admin REST API: requests signed with a UserSig of the app's admin
//! identifier, passed in the query string as Tencent's API does
//! (`?sdkappid=&identifier=&usersig=&random=&contenttype=json`).

use super::answer::RestError;
use crate::clock::unix_now;
use crate::service::Service;
use crate::store::App;
use crate::usersig;
use std::collections::HashMap;
use tim_proto::ErrorCode;

/// The app the request is for, once its credentials check out. Refusals in order: no such app
/// (70020), a UserSig that does not verify for `identifier` (70001, 70003, 70013, 70014), an
/// identifier that is not the app's admin (50003).
pub async fn admin_app(
    service: &Service,
    query: &HashMap<String, String>,
) -> Result<App, RestError> {
    let raw_id = query.get("sdkappid").map(String::as_str).unwrap_or("");
    let Ok(sdk_app_id) = raw_id.parse::<u64>() else {
        return Err(RestError::new(
            ErrorCode::AppNotFound,
            format!("sdkappid {raw_id:?} names no app on this server"),
        ));
    };
    let app = service.app(sdk_app_id).await?;
    let Some(identifier) = query.get("identifier").filter(|i| !i.is_empty()) else {
        return Err(RestError::new(
            ErrorCode::RestAdminRequired,
            "identifier is required: the app's admin identifier",
        ));
    };
    let sig = query.get("usersig").map(String::as_str).unwrap_or("");
    usersig::verify(sig, &app.secret_key, sdk_app_id, identifier, unix_now())
        .map_err(|e| RestError::new(e.code(), e.message()))?;
    if *identifier != app.admin_identifier {
        return Err(RestError::new(
            ErrorCode::RestAdminRequired,
            format!("{identifier} is not the app's admin identifier; admin required"),
        ));
    }
    Ok(app)
}
