//! One target checked against a run (`report::targets` makes them; the results carry them).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub workload: String,
    pub target: String,
    pub measured: String,
    /// `None`: no target, or nothing measurable against it.
    pub met: Option<bool>,
}
