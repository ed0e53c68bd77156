//! `tim-bench report`: results JSON -> RESULTS.md and results.svg. The verdicts are recomputed
//! from the data (and written back into the JSON), so a change of target logic never leaves
//! stale verdicts behind.

mod charts;
mod markdown;
mod svg;
pub mod targets;

use crate::workloads::Results;
use anyhow::{Context, Result};
use std::path::Path;

pub fn write(input: &Path, findings: &Path, markdown_out: &Path, svg_out: &Path) -> Result<()> {
    let text = std::fs::read_to_string(input).with_context(|| format!("{}", input.display()))?;
    let mut results: Results =
        serde_json::from_str(&text).with_context(|| format!("reading {}", input.display()))?;
    results.verdicts = targets::evaluate(&results);
    std::fs::write(input, serde_json::to_string_pretty(&results)? + "\n")?;

    let subtitle = match &results.machine {
        Some(m) => format!(
            "{} mode · {} × {} · {} · commit {}",
            results.mode,
            m.nproc,
            m.cpu_model,
            m.date,
            m.git_commit.get(..10).unwrap_or(&m.git_commit)
        ),
        None => format!("{} mode", results.mode),
    };
    let svg = svg::render(
        "tim-wasm benchmarks (issue 7)",
        &subtitle,
        &charts::panels(&results),
    );
    std::fs::write(svg_out, svg).with_context(|| format!("{}", svg_out.display()))?;
    let svg_name = svg_out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let md = markdown::render(&results, findings, &svg_name);
    std::fs::write(markdown_out, md).with_context(|| format!("{}", markdown_out.display()))?;
    eprintln!(
        "tim-bench: wrote {} and {}",
        markdown_out.display(),
        svg_out.display()
    );
    Ok(())
}
