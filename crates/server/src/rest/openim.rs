//! `openim/admin_msgwithdraw`: an admin revokes a one-to-one message, with Tencent's fields
//! (From_Account the sender, To_Account the recipient, MsgKey the message's ID). Unlike a
//! user's revokeMessage there is no time limit, as at Tencent; everything else is the same
//! revoke (every session of both parties whose view holds the message is told).

use super::answer::{Fields, RestError};
use super::parse_body;
use super::recentcontact::{checked_id, require_user};
use crate::service::Service;
use crate::store::{App, ConvRef, MessageEdit};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
struct WithdrawBody {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "To_Account")]
    to_account: String,
    #[serde(rename = "MsgKey")]
    msg_key: String,
}

/// `POST /v4/openim/admin_msgwithdraw` `{ From_Account, To_Account, MsgKey }`.
pub async fn msg_withdraw(service: &Service, app: &App, body: Value) -> Result<Fields, RestError> {
    let args: WithdrawBody = parse_body(body)?;
    let from = checked_id("From_Account", &args.from_account)?;
    let to = checked_id("To_Account", &args.to_account)?;
    require_user(service, app, from).await?;
    let edit = MessageEdit::Revoke {
        time_limited: false,
    };
    service
        .edit_message(app.sdk_app_id, ConvRef::c2c(from, to), args.msg_key, edit)
        .await?;
    Ok(Fields::new())
}
