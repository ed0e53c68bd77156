//! A flooded large group: tim-bench's flood workload (7), run at this tool's size. Behaviour
//! checked: every send of the others and of the flooders answered; the online members got
//! the group's messages. The others' p99 against their baseline is a figure, not a check.

use crate::Mode;
use anyhow::Result;
use tim_bench::workloads::flood::{self, FloodResult};
use tim_bench::workloads::Plan;

pub async fn run(plan: &Plan, _mode: Mode) -> Result<FloodResult> {
    // The plan's quick flag already is the mode (a 600-member group, or 5,000).
    flood::run(plan).await
}
