//! Uploaded files (issue 16): one row per upload (who uploaded it, for which conversation,
//! what it is) and one per message that links to it. The bytes live on disk
//! ([`crate::files`]); only what decides who may see them is here.
//!
//! Who may fetch a file: before any message links to it, its uploader only (a preview); after,
//! a user whose view of its conversation holds a message linking to it, as `holders` of
//! `store/edits.rs` count views (listed, above the watermark, not hidden by them), who is a
//! current member (a group they left holds no files for them) and whose message is not revoked.

/// An image (an image message's upload) or any other file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Image,
    File,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Image => "image",
            FileKind::File => "file",
        }
    }

    pub fn parse(s: &str) -> Option<FileKind> {
        match s {
            "image" => Some(FileKind::Image),
            "file" => Some(FileKind::File),
            _ => None,
        }
    }
}

/// One upload, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRecord {
    /// 32 hex digits, random: also the blob's name on disk.
    pub file_id: String,
    pub uploader: String,
    /// The thread of the conversation it was uploaded for ([`super::ConvRef::conv_key`]).
    pub conv_key: String,
    pub kind: FileKind,
    /// An image's type as its bytes show it; a file's declared type (served as a download
    /// whatever it says).
    pub content_type: String,
    /// The file name the uploader gave (files), or empty.
    pub name: String,
    pub size: u64,
    /// An image's pixels (0 when its header does not say).
    pub width: u32,
    pub height: u32,
    /// Unix seconds of the upload.
    pub time: i64,
}

/// The columns [`FileRecord`] is read from, in its order.
pub(super) const FILE_COLUMNS: &str =
    "file_id, uploader, conv_key, kind, content_type, name, size, width, height, time";

/// [`FileRecord`] from a row of [`FILE_COLUMNS`] read by either engine.
pub(super) struct FileRow {
    pub file_id: String,
    pub uploader: String,
    pub conv_key: String,
    pub kind: String,
    pub content_type: String,
    pub name: String,
    pub size: i64,
    pub width: i64,
    pub height: i64,
    pub time: i64,
}

impl FileRow {
    pub fn decode(self) -> super::StoreResult<FileRecord> {
        let kind = FileKind::parse(&self.kind).ok_or_else(|| {
            super::StoreError::Corrupt(format!("file {} kind {:?}", self.file_id, self.kind))
        })?;
        Ok(FileRecord {
            file_id: self.file_id,
            uploader: self.uploader,
            conv_key: self.conv_key,
            kind,
            content_type: self.content_type,
            name: self.name,
            size: u64::try_from(self.size).unwrap_or(0),
            width: u32::try_from(self.width).unwrap_or(0),
            height: u32::try_from(self.height).unwrap_or(0),
            time: self.time,
        })
    }
}
