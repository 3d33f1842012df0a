//! The pacer's sliding window, property-tested on tokio's paused clock: time only moves when every
//! task waits, so the start times are exact and the tests take no real time.

use std::time::{Duration, SystemTime};

use http_support::Pacer;
use proptest::prelude::*;
use tokio::time::Instant;

fn paused_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap()
}

/// Asserts that no window of `window` holds more than `limit` of the sorted `starts`.
#[track_caller]
fn assert_window_holds_at_most(starts: &[Instant], limit: usize, window: Duration) {
    for (i, pair) in starts.windows(limit + 1).enumerate() {
        let (first, last) = (pair[0], pair[limit]);
        assert!(
            last - first >= window,
            "starts {i}..={} lie {:?} apart: {} starts within one window of {window:?}",
            i + limit,
            last - first,
            limit + 1
        );
    }
}

proptest! {
    /// One caller after another, each arriving some time after the previous one started: every
    /// start is exactly the earliest the window allows (its arrival, or the moment the start
    /// `limit` places before it leaves the window), so a burst of up to `limit` goes at once and
    /// no window ever holds more than `limit` starts.
    #[test]
    fn each_start_is_the_earliest_the_window_allows(
        limit in 1u32..8,
        window_ms in 1u64..2_000,
        gaps_ms in prop::collection::vec(prop_oneof![3 => Just(0u64), 1 => 0u64..3_000], 1..80),
    ) {
        let window = Duration::from_millis(window_ms);
        let n = limit as usize;
        let (arrivals, starts) = paused_runtime().block_on(async {
            let pacer = Pacer::new(limit, window).unwrap();
            let (mut arrivals, mut starts) = (Vec::new(), Vec::new());
            for gap in &gaps_ms {
                tokio::time::sleep(Duration::from_millis(*gap)).await;
                arrivals.push(Instant::now());
                pacer.wait().await;
                starts.push(Instant::now());
            }
            (arrivals, starts)
        });
        for k in 0..starts.len() {
            let earliest = if k < n { arrivals[k] } else { arrivals[k].max(starts[k - n] + window) };
            prop_assert_eq!(starts[k], earliest, "start {} of {:?}", k, gaps_ms);
        }
        // The burst: callers arriving together before the limit is reached all start at once.
        let together = gaps_ms.iter().skip(1).take_while(|g| **g == 0).count() + 1;
        for start in starts.iter().take(together.min(n)) {
            prop_assert_eq!(*start, arrivals[0]);
        }
        assert_window_holds_at_most(&starts, n, window);
    }

    /// Many callers at once, from separate tasks: the first `limit` start at once, the next
    /// `limit` one window later, and so on.
    #[test]
    fn concurrent_callers_go_in_bursts_of_the_limit(
        limit in 1u32..10,
        window_ms in 1u64..5_000,
        callers in 1usize..60,
    ) {
        let window = Duration::from_millis(window_ms);
        let (t0, mut starts) = paused_runtime().block_on(async {
            let pacer = std::sync::Arc::new(Pacer::new(limit, window).unwrap());
            let t0 = Instant::now();
            let tasks: Vec<_> = (0..callers)
                .map(|_| {
                    let pacer = std::sync::Arc::clone(&pacer);
                    tokio::spawn(async move {
                        pacer.wait().await;
                        Instant::now()
                    })
                })
                .collect();
            let mut starts = Vec::new();
            for task in tasks {
                starts.push(task.await.unwrap());
            }
            (t0, starts)
        });
        starts.sort();
        let n = limit as usize;
        for (i, start) in starts.iter().enumerate() {
            let wave = u32::try_from(i / n).unwrap();
            prop_assert_eq!(*start, t0 + window * wave, "caller {}", i);
        }
        assert_window_holds_at_most(&starts, n, window);
    }

    /// A pacer seeded with the starts of a process that ran just before it counts them: the
    /// window over both processes' starts never holds more than the limit.
    #[test]
    fn a_seeded_pacer_keeps_the_window_across_processes(
        limit in 1u32..6,
        window_s in 2u64..120,
        ages_s in prop::collection::vec(0u64..150, 0..12),
        calls in 1usize..20,
    ) {
        let window = Duration::from_secs(window_s);
        let n = limit as usize;
        let (mut all, seeded) = paused_runtime().block_on(async {
            // What the earlier process left: starts some seconds ago, each kept to the millisecond
            // as the state store keeps them; the earlier pacer never let more than `limit` into a
            // window, so only such histories are real.
            let before = Pacer::new(limit, window).unwrap();
            let mut ages = ages_s.clone();
            ages.sort_unstable_by(|a, b| b.cmp(a));
            let wall_now = SystemTime::now();
            let mut history: Vec<Instant> = Vec::new();
            let mut times = Vec::new();
            let now = Instant::now();
            for age in ages {
                let at = now - Duration::from_secs(age);
                if history.len() >= n && at - history[history.len() - n] < window {
                    continue;
                }
                history.push(at);
                times.push(wall_now - Duration::from_secs(age));
            }
            before.seed(&times);
            let exported = before.recent();

            let pacer = Pacer::new(limit, window).unwrap();
            pacer.seed(&exported);
            let mut starts = Vec::new();
            for _ in 0..calls {
                pacer.wait().await;
                starts.push(Instant::now());
            }
            // The seeded starts inside the window, as instants of this clock.
            let seeded: Vec<Instant> =
                history.into_iter().filter(|at| now.duration_since(*at) < window).collect();
            (starts, seeded)
        });
        all.extend(seeded);
        all.sort();
        // Wall-clock and monotonic clocks are read a few microseconds apart when a time is
        // converted: a millisecond of slack covers it.
        assert_window_holds_at_most(&all, n, window - Duration::from_millis(1));
    }
}

#[tokio::test(start_paused = true)]
async fn a_35_page_tenant_never_puts_31_requests_in_a_rolling_minute() {
    // Issue 20's case: 35 requests at 30 a minute. The first 30 go at once, the last 5 when the
    // window (62 s) has passed since the first; no 60 s holds more than 30, whatever jitter of
    // up to two seconds the requests meet on their way.
    let pacer = Pacer::per_minute(30).unwrap();
    let t0 = Instant::now();
    let mut starts = Vec::new();
    for _ in 0..35 {
        pacer.wait().await;
        starts.push(Instant::now());
    }
    assert!(starts[..30].iter().all(|s| *s == t0));
    assert!(starts[30..].iter().all(|s| *s == t0 + Duration::from_secs(62)));
    assert_window_holds_at_most(&starts, 30, Duration::from_secs(62));
}
