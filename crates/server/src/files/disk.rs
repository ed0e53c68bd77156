//! The bytes of uploads, on disk: `<dir>/<SDKAppID>/<fileID>`, written first to
//! `<dir>/tmp/<random>.part` and renamed into place once whole and checked, so a file under
//! its final name is always complete, and a refused or broken upload leaves nothing.

use super::sniff::HEAD_BYTES;
use axum::body::Body;
use futures::StreamExt;
use std::io;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

pub struct Blobs {
    dir: PathBuf,
}

/// An upload read to its end into a temporary file (removed when dropped unless kept).
pub struct Received {
    temp: Option<PathBuf>,
    pub size: u64,
    /// The first [`HEAD_BYTES`] bytes, for the type checks.
    pub head: Vec<u8>,
}

impl Drop for Received {
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            if let Err(e) = std::fs::remove_file(&temp) {
                tracing::warn!("removing the partial upload {}: {e}", temp.display());
            }
        }
    }
}

/// Why an upload could not be read.
#[derive(Debug)]
pub enum ReceiveError {
    /// More than the limit; reading stopped there.
    TooBig,
    /// The client's body broke off (closed, timed out).
    Body(String),
    Io(io::Error),
}

impl From<io::Error> for ReceiveError {
    fn from(e: io::Error) -> Self {
        ReceiveError::Io(e)
    }
}

/// 32 hex digits from the OS's random source: a file ID, unguessable.
pub fn random_id() -> io::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl Blobs {
    pub fn new(dir: PathBuf) -> Blobs {
        Blobs { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the file `file_id` of the app is (only ever a name [`random_id`] made).
    pub fn path(&self, sdk_app_id: u64, file_id: &str) -> PathBuf {
        self.dir.join(sdk_app_id.to_string()).join(file_id)
    }

    /// Reads `body` into a temporary file, refusing it once over `limit` bytes.
    pub async fn receive(&self, body: Body, limit: u64) -> Result<Received, ReceiveError> {
        let tmp = self.dir.join("tmp");
        tokio::fs::create_dir_all(&tmp).await?;
        let temp = tmp.join(format!("{}.part", random_id()?));
        let mut file = tokio::fs::File::create(&temp).await?;
        let mut received = Received {
            temp: Some(temp),
            size: 0,
            head: Vec::new(),
        };
        let mut stream = body.into_data_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| ReceiveError::Body(e.to_string()))?;
            received.size = received.size.saturating_add(chunk.len() as u64);
            if received.size > limit {
                return Err(ReceiveError::TooBig);
            }
            let room = HEAD_BYTES.saturating_sub(received.head.len());
            received
                .head
                .extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
            file.write_all(&chunk).await?;
        }
        // Durable before any message can name it.
        file.sync_all().await?;
        Ok(received)
    }

    /// Moves a received upload to its final name.
    pub async fn keep(
        &self,
        mut received: Received,
        sdk_app_id: u64,
        file_id: &str,
    ) -> io::Result<()> {
        let path = self.path(sdk_app_id, file_id);
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        if let Some(temp) = received.temp.as_ref() {
            tokio::fs::rename(temp, &path).await?;
        }
        received.temp = None;
        Ok(())
    }

    /// Removes a kept file (its metadata could not be stored).
    pub async fn forget(&self, sdk_app_id: u64, file_id: &str) {
        let path = self.path(sdk_app_id, file_id);
        if let Err(e) = tokio::fs::remove_file(&path).await {
            tracing::warn!("removing {}: {e}", path.display());
        }
    }
}
