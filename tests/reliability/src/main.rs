//! `tim-reliability [--long] [--only kill,crowd,slow,idle,flood] [--server-bin PATH]
//! [--json OUT] [--markdown OUT]`: runs every scenario of tests/reliability (or those named)
//! against real server processes and prints (or writes) the figures; exits 1 when something
//! that must hold did not.

use std::path::PathBuf;
use std::process::ExitCode;
use tim_reliability::{run_some, Mode, SCENARIOS};

fn main() -> ExitCode {
    let mut mode = Mode::Short;
    let mut server = PathBuf::from("target/release/tim-server");
    let (mut json, mut markdown) = (None, None);
    let mut only: Vec<&str> = SCENARIOS.to_vec();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "--long" => {
                mode = Mode::Long;
                continue;
            }
            "--only" => {
                let names = args.next().unwrap_or_default();
                only = SCENARIOS
                    .into_iter()
                    .filter(|s| names.split(',').any(|n| n == *s))
                    .collect();
                if only.is_empty() || names.split(',').any(|n| !SCENARIOS.contains(&n)) {
                    eprintln!(
                        "tim-reliability: --only takes some of {}",
                        SCENARIOS.join(",")
                    );
                    return ExitCode::from(2);
                }
                continue;
            }
            "--server-bin" | "--json" | "--markdown" => args.next().map(PathBuf::from),
            _ => None,
        };
        let Some(value) = value else {
            eprintln!("tim-reliability: unknown or incomplete argument {arg}");
            return ExitCode::from(2);
        };
        match arg.as_str() {
            "--server-bin" => server = value,
            "--json" => json = Some(value),
            _ => markdown = Some(value),
        }
    }
    let server = std::path::absolute(&server).unwrap_or(server);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("tim-reliability: {e}");
            return ExitCode::FAILURE;
        }
    };
    let figures = match runtime.block_on(run_some(mode, server, &only)) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("tim-reliability: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let text = serde_json::to_string_pretty(&figures).unwrap_or_default();
    println!("{text}");
    let written = json
        .map(|p| std::fs::write(p, text + "\n"))
        .transpose()
        .and_then(|_| {
            markdown
                .map(|p| std::fs::write(p, figures.markdown()))
                .transpose()
        });
    if let Err(e) = written {
        eprintln!("tim-reliability: writing the figures: {e}");
        return ExitCode::FAILURE;
    }
    let failures = figures.failures();
    for f in &failures {
        eprintln!("tim-reliability: FAILED {f}");
    }
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
