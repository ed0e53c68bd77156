//! The rules both the SDK and the server apply to what a caller sends: IDs, group names and
//! member lists, message texts, page sizes, batch sizes,
//! profile fields and blacklists. Each rule is written once here and
//! answers with a [`Refusal`], which the SDK's error and the server's error both convert from,
//! so the two sides can never disagree on a limit or a code.

mod group;
mod ids;
mod message;
mod profile;
mod refusal;

pub use group::{check_group_name, check_member_count};
pub use ids::{check_custom_group_id, check_group_id, check_user_id};
pub use message::{check_batch_delete_len, check_body, check_page_count, check_text};
pub use profile::{
    check_blacklist_change, check_profile_patch, check_profile_query, BlacklistChange,
};
pub use refusal::Refusal;
