//! Client-side pacing: at most N request starts in any rolling window, bursts allowed.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

/// The window [`Pacer::per_minute`] counts in: a minute and two seconds.
///
/// A server that allows N requests a minute counts them as they *arrive*; a pacer can only count
/// them as they *start*. Between the two lie the connection, the TLS handshake, a token fetch and
/// the server's own queue, which differ from one request to the next: two requests started exactly
/// 60 s apart can arrive 59.9 s apart. The two extra seconds absorb that jitter (and a clock that
/// rounds to the second), at a cost of about 3% of the throughput of a client that has more than
/// N requests to send.
pub const PACING_WINDOW: Duration = Duration::from_secs(62);

/// Lets at most `limit` requests start in any rolling window, as a sliding window of start times.
///
/// Up to `limit` requests start at once; the next one starts when the oldest of the last `limit`
/// starts leaves the window. So a client with fewer requests than the limit never waits, and one
/// with more never exceeds the limit in any window, wherever that window is placed. (Even
/// spacing, one request every `window / limit`, would make a client with three requests wait
/// twice for nothing.)
///
/// Waits are plain `tokio::time` sleeps: dropping the future of [`Pacer::wait`] cancels the wait,
/// and the slot it reserved is simply left unused.
///
/// The recent start times can be read ([`Pacer::recent`]) and given to a new pacer
/// ([`Pacer::seed`]), so that a process started right after another (a cron job every minute)
/// goes on counting where the first one stopped.
///
/// ```
/// use std::time::Duration;
/// use http_support::Pacer;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let pacer = Pacer::new(3, Duration::from_millis(100)).unwrap();
/// let start = tokio::time::Instant::now();
/// for _ in 0..3 {
///     pacer.wait().await; // the first three go at once
/// }
/// assert!(start.elapsed() < Duration::from_millis(100));
/// pacer.wait().await; // the fourth waits for the first to leave the window
/// assert!(start.elapsed() >= Duration::from_millis(100));
/// # }
/// ```
pub struct Pacer {
    limit: usize,
    window: Duration,
    /// The reserved start times still in the window or ahead of it, oldest first, each with the
    /// wall-clock time it stands for (what [`Pacer::recent`] exports, and what [`Pacer::seed`]
    /// recognises).
    starts: Mutex<VecDeque<(Instant, SystemTime)>>,
}

impl fmt::Debug for Pacer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pacer").field("limit", &self.limit).field("window", &self.window).finish()
    }
}

impl Pacer {
    /// A pacer letting `limit` requests start in any rolling `window`, or `None` for a limit of
    /// `0` (no pacing).
    pub fn new(limit: u32, window: Duration) -> Option<Self> {
        let limit = usize::try_from(limit).ok().filter(|&limit| limit > 0)?;
        Some(Self { limit, window, starts: Mutex::new(VecDeque::with_capacity(limit.min(1024))) })
    }

    /// A pacer letting `per_minute` requests start in any rolling [`PACING_WINDOW`] (a minute
    /// and a margin), or `None` for `0` (no pacing).
    pub fn per_minute(per_minute: u32) -> Option<Self> {
        Self::new(per_minute, PACING_WINDOW)
    }

    /// How many requests may start in one window.
    pub fn limit(&self) -> u32 {
        u32::try_from(self.limit).unwrap_or(u32::MAX)
    }

    /// The rolling window the starts are counted in.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Waits until the next request may start, and counts it as started then.
    pub async fn wait(&self) {
        let slot = self.reserve();
        tokio::time::sleep_until(slot).await;
    }

    /// Reserves the earliest start that keeps every window at `limit` starts or fewer: now, or
    /// the moment the start `limit` places before it leaves the window.
    fn reserve(&self) -> Instant {
        let mut starts = self.starts.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        // Starts that left the window constrain nothing. A start reserved ahead of now always
        // has `limit` starts within the window before it, so it is never left alone here and
        // the rule below still sees what constrains the next one.
        while starts.front().is_some_and(|&(at, _)| at + self.window <= now) {
            starts.pop_front();
        }
        let slot = match starts.len().checked_sub(self.limit) {
            Some(index) => (starts[index].0 + self.window).max(now),
            None => now,
        };
        // A reservation is never before the one made just before it, so the queue stays sorted.
        starts.push_back((slot, wall_clock(slot, now)));
        slot
    }

    /// The wall-clock times of the requests started in the current window, oldest first: what a
    /// process keeps so that the next one can [`seed`](Self::seed) its pacer. Starts reserved
    /// for later (waits still under way, or dropped) are left out: at the end of a process no
    /// request will start at them.
    pub fn recent(&self) -> Vec<SystemTime> {
        let starts = self.starts.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        starts
            .iter()
            .filter(|(at, _)| *at <= now && now.duration_since(*at) < self.window)
            .map(|&(_, wall)| wall)
            .collect()
    }

    /// Counts `times` (wall-clock request starts, as [`recent`](Self::recent) gave them) as
    /// starts of this pacer, so that it waits for them to leave the window too; meant for a
    /// pacer that has not started anything yet. Times older than the window are ignored; times
    /// in the future (another machine's clock) count as now. Seeding is idempotent: a time this
    /// pacer already holds as many times (to the millisecond) is not counted again, so seeding
    /// with what it exported changes nothing, while a burst of starts in one millisecond keeps
    /// its every start.
    pub fn seed(&self, times: &[SystemTime]) {
        let mut starts = self.starts.lock().unwrap_or_else(PoisonError::into_inner);
        let (now, wall_now) = (Instant::now(), SystemTime::now());
        let mut held: BTreeMap<u128, usize> = BTreeMap::new();
        for &(_, wall) in starts.iter() {
            *held.entry(millis(wall)).or_default() += 1;
        }
        let mut merged: Vec<(Instant, SystemTime)> = starts.drain(..).collect();
        for &time in times {
            let age = wall_now.duration_since(time).unwrap_or(Duration::ZERO);
            if age >= self.window {
                continue;
            }
            // One held start of the same millisecond answers for one given time.
            if let Some(count) = held.get_mut(&millis(time)).filter(|count| **count > 0) {
                *count -= 1;
                continue;
            }
            // A monotonic clock cannot go back further than its own start: such a start (older
            // than the machine's uptime) counts as now, which makes the pacer wait longer than
            // needed, never less.
            let at = now.checked_sub(age).unwrap_or(now);
            merged.push((at, time));
        }
        merged.sort_by_key(|&(at, _)| at);
        starts.extend(merged);
    }
}

/// The wall-clock time that stands for the instant `at`, given that `now` is now.
fn wall_clock(at: Instant, now: Instant) -> SystemTime {
    let wall_now = SystemTime::now();
    if at >= now { wall_now + (at - now) } else { wall_now - (now - at) }
}

fn millis(time: SystemTime) -> u128 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_turns_pacing_off() {
        assert!(Pacer::per_minute(0).is_none());
        let pacer = Pacer::per_minute(30).unwrap();
        assert_eq!((pacer.limit(), pacer.window()), (30, PACING_WINDOW));
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_up_to_the_limit_goes_at_once_and_the_next_waits_for_the_window() {
        let pacer = Pacer::new(3, Duration::from_secs(60)).unwrap();
        let start = Instant::now();
        for _ in 0..3 {
            pacer.wait().await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        pacer.wait().await;
        assert_eq!(start.elapsed(), Duration::from_secs(60));
    }

    #[tokio::test(start_paused = true)]
    async fn recent_gives_what_seed_takes_and_seeding_twice_counts_once() {
        // What an earlier process exported: a burst of two in one millisecond 10 s ago, and
        // one start 5 s ago. (The wall clock does not follow tokio's paused clock, so the
        // history is written rather than waited for.)
        let now = SystemTime::now();
        let ten_ago = now - Duration::from_secs(10);
        let history = [ten_ago, ten_ago, now - Duration::from_secs(5)];
        let pacer = Pacer::new(3, Duration::from_secs(60)).unwrap();
        pacer.seed(&history);
        pacer.seed(&history);
        assert_eq!(pacer.recent(), history);
        // All three count: the next start waits for the burst to leave the window, 50 s on.
        let start = Instant::now();
        pacer.wait().await;
        let waited = start.elapsed();
        assert!(waited >= Duration::from_secs(49) && waited <= Duration::from_secs(50), "{waited:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_wait_is_not_exported() {
        let pacer = Pacer::new(1, Duration::from_secs(60)).unwrap();
        pacer.wait().await;
        // The second wait is for a slot 60 s away; giving it up leaves only the first start.
        let waiting = tokio::time::timeout(Duration::from_secs(1), pacer.wait()).await;
        assert!(waiting.is_err());
        assert_eq!(pacer.recent().len(), 1);
    }
}
