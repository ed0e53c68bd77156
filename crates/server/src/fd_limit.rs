//! The open-file limit: raised at start as far as allowed, and the connection cap kept under
//! it, so the listener never runs out of descriptors (each connection is one).

/// Descriptors kept for everything that is not a connection: the database and its send
/// log, the WAL, static files being served, the runtime's own, and the refusal band.
const HEADROOM: u64 = 256;

/// Raises the soft limit toward the hard limit; returns the connection cap that fits under
/// it (at most `wanted`).
pub fn fit_connections(wanted: usize) -> usize {
    let soft = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(e) => {
            tracing::warn!("cannot raise the open-file limit: {e}");
            match rlimit::getrlimit(rlimit::Resource::NOFILE) {
                Ok((soft, _)) => soft,
                Err(_) => return wanted,
            }
        }
    };
    let room = soft.saturating_sub(HEADROOM + crate::listen::REFUSAL_BAND as u64);
    let fits = usize::try_from(room).unwrap_or(usize::MAX);
    if fits < wanted {
        tracing::warn!(
            open_file_limit = soft,
            wanted,
            cap = fits,
            "the open-file limit allows fewer connections than --max-connections"
        );
    }
    wanted.min(fits)
}
