//! Image and file uploads over HTTP (issue 16; docs/protocol.md "Files"):
//!
//! - `POST /v1/files?sdkappid=&userID=&conversationID=&kind=image|file&fileName=` with
//!   `Authorization: UserSig <usersig>` and the file's bytes as the body (no multipart, so a
//!   browser can send a `Blob` with `XMLHttpRequest` and watch `upload.onprogress`). Checked:
//!   the UserSig (as a login), the conversation (the caller's, a group they are in), the type
//!   (images by their bytes, executables refused), the size (as it arrives: an upload over the
//!   limit stops there). Answers the descriptor an image or file message names.
//! - `GET /v1/files/<fileID>?<fileQuery>`: the bytes, to a user whose view of the conversation
//!   still holds a message linking to them (store/files.rs), the user proven by the file
//!   ticket in the query ([`ticket`]), since `<img src>` sends no header. 404 otherwise.
//!
//! Nothing here logs a query string or a header: they carry UserSigs and tickets.

pub mod disk;
pub mod sniff;
pub mod ticket;

use crate::clock::unix_now;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{FileKind, FileRecord};
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use disk::ReceiveError;
use serde_json::json;
use std::collections::HashMap;
use tim_proto::limits::{IMAGE_TYPES, MAX_FILE_NAME_BYTES};
use tim_proto::model::image_format;
use tim_proto::ErrorCode;
use tower::ServiceExt;
use tower_http::cors::{Any, CorsLayer};
use tower_http::services::ServeFile;

/// The routes, with their own deadline (`--upload-timeout-secs`, uploads are big) and CORS:
/// any origin may call them, as credentials travel in the request itself, never in cookies.
pub fn router(state: &AppState) -> Router<AppState> {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(std::time::Duration::from_secs(600));
    let timeout = tower_http::timeout::TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        state.limits.upload_timeout,
    );
    Router::new()
        .route("/v1/files", post(upload))
        .route("/v1/files/{file_id}", get(fetch))
        .layer(timeout)
        .layer(cors)
}

fn query_str<'a>(q: &'a HashMap<String, String>, key: &str) -> &'a str {
    q.get(key).map(String::as_str).unwrap_or("")
}

fn parse_app(q: &HashMap<String, String>) -> Result<u64, ApiError> {
    let raw = query_str(q, "sdkappid");
    raw.parse().map_err(|_| {
        ApiError::new(
            ErrorCode::AppNotFound,
            format!("sdkappid {raw:?} names no app on this server"),
        )
    })
}

/// The `Authorization: UserSig <usersig>` header's UserSig.
fn user_sig(headers: &HeaderMap) -> Result<&str, ApiError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("UserSig "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::UserSigInvalid,
                "an upload needs the header `Authorization: UserSig <usersig>`",
            )
        })
}

/// The declared type: lower case, parameters dropped; `image/jpg` is `image/jpeg`.
fn declared_type(headers: &HeaderMap) -> String {
    let raw = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let t = raw
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match t.as_str() {
        "" => "application/octet-stream".to_owned(),
        "image/jpg" | "image/pjpeg" => "image/jpeg".to_owned(),
        _ => t,
    }
}

/// `name` cut to [`MAX_FILE_NAME_BYTES`] at a character boundary, without control characters
/// or path separators.
fn clean_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = if c.is_control() || c == '/' || c == '\\' {
            '_'
        } else {
            c
        };
        if out.len() + c.len_utf8() > MAX_FILE_NAME_BYTES {
            break;
        }
        out.push(c);
    }
    out
}

fn type_refused(why: String) -> ApiError {
    ApiError::new(ErrorCode::ImageTypesLimit, why)
}

async fn upload(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let sdk_app_id = parse_app(&q)?;
    let sig = user_sig(&headers)?;
    let verified = state
        .service
        .verify_user(sdk_app_id, query_str(&q, "userID"), sig)
        .await?;
    let user = &verified.user;
    // An upload counts as a request of the user, with their sessions' (`--max-user-requests-per-sec`).
    if !state.user_rates.check(user) {
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            "too many requests by this user; try again shortly",
        ));
    }
    let conv = state
        .service
        .upload_target(user, query_str(&q, "conversationID"))
        .await?;
    let kind = FileKind::parse(query_str(&q, "kind")).ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidParameter,
            "kind must be `image` (an image message) or `file` (a file message)",
        )
    })?;
    let declared = declared_type(&headers);
    let (limit, too_big) = match kind {
        FileKind::Image => (state.limits.max_image_bytes, ErrorCode::ImageSizeLimit),
        FileKind::File => (state.limits.max_file_bytes, ErrorCode::FileSizeLimit),
    };
    let too_big = || {
        ApiError::new(
            too_big,
            format!("the {} is over the limit of {limit} bytes", kind.as_str()),
        )
    };
    match kind {
        FileKind::Image if !IMAGE_TYPES.contains(&declared.as_str()) => {
            return Err(type_refused(format!(
                "an image must be one of {}; this one is declared {declared}",
                IMAGE_TYPES.join(", ")
            )))
        }
        FileKind::File if sniff::is_executable_type(&declared) => {
            return Err(executable());
        }
        _ => {}
    }
    // Refused before a byte is read when the client says how big it is.
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit) {
        return Err(too_big());
    }
    let received = match state.files.receive(body, limit).await {
        Ok(r) => r,
        Err(ReceiveError::TooBig) => return Err(too_big()),
        Err(ReceiveError::Body(why)) => {
            return Err(ApiError::new(
                ErrorCode::InvalidParameter,
                format!("the upload broke off: {why}"),
            ))
        }
        Err(ReceiveError::Io(e)) => {
            return Err(ApiError::internal(format!("storing an upload: {e}")))
        }
    };
    if received.size == 0 {
        return Err(ApiError::new(ErrorCode::FileIsEmpty, "the upload is empty"));
    }
    let (content_type, width, height) = match kind {
        FileKind::Image => {
            let info = sniff::image(&received.head)
                .filter(|i| i.content_type == declared)
                .ok_or_else(|| {
                    type_refused(format!(
                        "the bytes are not a {declared} image (allowed: {})",
                        IMAGE_TYPES.join(", ")
                    ))
                })?;
            (declared, info.width, info.height)
        }
        FileKind::File if sniff::is_executable(&received.head) => return Err(executable()),
        FileKind::File => (declared, 0, 0),
    };
    let file_id = disk::random_id().map_err(ApiError::internal)?;
    let size = received.size;
    state
        .files
        .keep(received, sdk_app_id, &file_id)
        .await
        .map_err(|e| ApiError::internal(format!("storing an upload: {e}")))?;
    let record = FileRecord {
        file_id: file_id.clone(),
        uploader: user.user_id.clone(),
        conv_key: conv.conv_key.clone(),
        kind,
        content_type: content_type.clone(),
        name: clean_name(query_str(&q, "fileName")),
        size,
        width,
        height,
        time: unix_now(),
    };
    let name = record.name.clone();
    if let Err(e) = state.service.add_file(sdk_app_id, record).await {
        state.files.forget(sdk_app_id, &file_id).await;
        return Err(e);
    }
    let query =
        crate::service::Service::file_query(&verified.app, &user.user_id, verified.expires_at);
    let data = json!({
        "fileID": file_id,
        "kind": kind.as_str(),
        "conversationID": conv.conversation_id,
        "url": format!("/v1/files/{file_id}?{query}"),
        "contentType": content_type,
        "fileName": name,
        "fileSize": size,
        "width": width,
        "height": height,
        "imageFormat": match kind {
            FileKind::Image => image_format::of(&content_type),
            FileKind::File => image_format::UNKNOWN,
        },
    });
    Ok(Json(json!({ "code": 0, "data": data })).into_response())
}

fn executable() -> ApiError {
    ApiError::new(
        ErrorCode::FileTypeRefused,
        "executable programs cannot be sent as files",
    )
}

/// A file ID as [`disk::random_id`] makes them; anything else names no file (and never a path).
fn is_file_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::FileNotFound,
        "no such file, or not one you can see",
    )
}

async fn fetch(
    State(state): State<AppState>,
    Path(file_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    request: Request,
) -> Result<Response, ApiError> {
    let sdk_app_id = parse_app(&q)?;
    let user_id = query_str(&q, "userID");
    let app = state.service.app(sdk_app_id).await?;
    let expires = query_str(&q, "expires").parse::<i64>().unwrap_or(0);
    ticket::verify(
        &app.secret_key,
        sdk_app_id,
        user_id,
        expires,
        query_str(&q, "ticket"),
        unix_now(),
    )
    .map_err(|(code, why)| ApiError::new(code, why))?;
    if !is_file_id(&file_id) {
        return Err(not_found());
    }
    let record = state
        .service
        .visible_file(sdk_app_id, &file_id, user_id)
        .await?
        .ok_or_else(not_found)?;
    let path = state.files.path(sdk_app_id, &file_id);
    let served = ServeFile::new(path)
        .oneshot(request)
        .await
        .map_err(ApiError::internal)?;
    let mut response = served.map(Body::new);
    if response.status() == StatusCode::NOT_FOUND {
        tracing::warn!(file = %file_id, "a file's bytes are missing from the files directory");
        return Err(not_found());
    }
    let h = response.headers_mut();
    let (content_type, disposition) = match record.kind {
        FileKind::Image => (record.content_type.clone(), "inline".to_owned()),
        // Whatever a file says it is, it is a download: never a page of this origin.
        FileKind::File => (
            "application/octet-stream".to_owned(),
            format!(
                "attachment; filename*=UTF-8''{}",
                ticket::percent_encode(&record.name)
            ),
        ),
    };
    for (name, value) in [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_DISPOSITION, disposition),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; sandbox".to_owned(),
        ),
        (header::CACHE_CONTROL, "private, no-cache".to_owned()),
        (header::REFERRER_POLICY, "no-referrer".to_owned()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    }
    Ok(response)
}
