//! Client-side pacing: at most N request starts a minute, evenly spaced.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Spaces request starts evenly so that at most `per_minute` start in any minute.
///
/// Defender for Cloud Apps throttles at 30 requests a minute per tenant; pacing on our side keeps
/// a pass from being throttled at all. Requests are spaced rather than let through in bursts,
/// since a burst followed by pacing can still exceed a rolling window.
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl Pacer {
    /// A pacer letting `per_minute` requests start each minute, or `None` for `0` (no pacing).
    pub fn per_minute(per_minute: u32) -> Option<Self> {
        (per_minute > 0)
            .then(|| Self { interval: Duration::from_secs(60) / per_minute, next: Mutex::new(None) })
    }

    /// The spacing between two request starts.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Waits until the next request may start, and reserves that slot.
    pub async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = match *next {
                Some(at) if at > now => at,
                _ => now,
            };
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_turns_pacing_off() {
        assert!(Pacer::per_minute(0).is_none());
        assert_eq!(Pacer::per_minute(30).unwrap().interval(), Duration::from_secs(2));
    }

    #[tokio::test]
    async fn spaces_requests_evenly() {
        let pacer = Pacer::per_minute(1200).unwrap(); // 50 ms apart
        let start = Instant::now();
        for _ in 0..4 {
            pacer.wait().await;
        }
        // The first goes at once, the next three 50 ms apart each.
        assert!(Instant::now() - start >= Duration::from_millis(150));
    }
}
