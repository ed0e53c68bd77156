//! Latency summaries: nearest-rank percentiles over every sample (no histogram buckets).

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A distribution of latencies, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub samples: usize,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub mean: f64,
    pub min: f64,
    pub max: f64,
}

impl Summary {
    pub fn of(samples: &[Duration]) -> Summary {
        let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e3).collect();
        Summary::of_ms(&mut ms)
    }

    pub fn of_ms(ms: &mut [f64]) -> Summary {
        if ms.is_empty() {
            return Summary::default();
        }
        ms.sort_by(f64::total_cmp);
        let sum: f64 = ms.iter().sum();
        Summary {
            samples: ms.len(),
            p50: percentile(ms, 50.0),
            p95: percentile(ms, 95.0),
            p99: percentile(ms, 99.0),
            mean: round(sum / ms.len() as f64),
            min: round(ms[0]),
            max: round(ms[ms.len() - 1]),
        }
    }
}

/// Nearest-rank percentile of sorted, non-empty data.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    round(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// Microsecond precision is plenty for milliseconds, and keeps the JSON readable.
pub fn round(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut data: Vec<f64> = (1..=100).map(f64::from).collect();
        let s = Summary::of_ms(&mut data);
        assert_eq!(
            (s.p50, s.p95, s.p99, s.min, s.max),
            (50.0, 95.0, 99.0, 1.0, 100.0)
        );
        assert_eq!(s.mean, 50.5);
        let s = Summary::of_ms(&mut [3.0]);
        assert_eq!((s.p50, s.p99), (3.0, 3.0));
        assert_eq!(Summary::of_ms(&mut []).samples, 0);
    }
}
