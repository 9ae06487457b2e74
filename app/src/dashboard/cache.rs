//! The dashboard's and the open data's counts, kept for a while.
//!
//! Both count every input of the period they cover: at ten million items
//! that is tens of seconds of work, and `/api/v1/stats` is public. So
//! counts are kept: a request that finds them older than they may be gets
//! them at once all the same, and starts counting again in the background
//! (one count at a time). Only when there are no counts yet, or they no
//! longer fit (a new week began), does a request wait for a count.

use crate::error::AppError;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long the dashboard's counts are served before they are counted
/// again.
pub const DASHBOARD_FRESH_FOR: Duration = Duration::from_secs(5 * 60);
/// The same for the open data, which counts by month.
pub const OPEN_DATA_FRESH_FOR: Duration = Duration::from_secs(60 * 60);

/// The value and when it was computed.
type Slot<T> = Mutex<Option<(Instant, Arc<T>)>>;

/// A value computed at most once per `fresh_for`, one computation at a
/// time.
pub struct Cached<T> {
    fresh_for: Duration,
    value: Arc<Slot<T>>,
    computing: Arc<tokio::sync::Mutex<()>>,
}

impl<T: Send + Sync + 'static> Cached<T> {
    pub fn new(fresh_for: Duration) -> Self {
        Cached {
            fresh_for,
            value: Arc::default(),
            computing: Arc::default(),
        }
    }

    fn current(&self) -> Option<(Instant, Arc<T>)> {
        self.value
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn store(slot: &Slot<T>, value: Arc<T>) {
        *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some((Instant::now(), value));
    }

    /// The value when there is one and it is `usable`, counted again in
    /// the background with `compute` when it is old; otherwise computed
    /// now with `compute`.
    pub async fn get<F, Fut>(
        &self,
        usable: impl Fn(&T) -> bool,
        compute: F,
    ) -> Result<Arc<T>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    {
        if let Some((at, value)) = self.current().filter(|(_, value)| usable(value)) {
            if at.elapsed() >= self.fresh_for
                && let Ok(computing) = Arc::clone(&self.computing).try_lock_owned()
            {
                let slot = Arc::clone(&self.value);
                let counting = compute();
                tokio::spawn(async move {
                    match counting.await {
                        Ok(value) => Self::store(&slot, Arc::new(value)),
                        Err(error) => tracing::warn!(%error, "counting again failed"),
                    }
                    drop(computing);
                });
            }
            return Ok(value);
        }
        let _computing = self.computing.lock().await;
        // Whoever held the lock before us may have just computed it.
        if let Some((_, value)) = self.current().filter(|(_, value)| usable(value)) {
            return Ok(value);
        }
        let value = Arc::new(compute().await?);
        Self::store(&self.value, Arc::clone(&value));
        Ok(value)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    type Counter = Arc<AtomicUsize>;

    /// A computation that counts its calls and returns their number.
    fn counting(calls: &Counter) -> impl Fn() -> std::future::Ready<Result<usize, AppError>> {
        let calls = Arc::clone(calls);
        move || std::future::ready(Ok(calls.fetch_add(1, Ordering::SeqCst) + 1))
    }

    #[tokio::test]
    async fn computes_once_while_fresh() {
        let cached = Cached::new(Duration::from_secs(60));
        let calls = Counter::default();
        assert_eq!(*cached.get(|_| true, counting(&calls)).await.unwrap(), 1);
        assert_eq!(*cached.get(|_| true, counting(&calls)).await.unwrap(), 1);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn an_unusable_value_is_computed_again_at_once() {
        let cached = Cached::new(Duration::from_secs(60));
        let calls = Counter::default();
        assert_eq!(*cached.get(|_| true, counting(&calls)).await.unwrap(), 1);
        assert_eq!(*cached.get(|n| *n > 1, counting(&calls)).await.unwrap(), 2);
    }

    #[tokio::test]
    async fn an_old_value_is_served_while_it_is_computed_again() {
        let cached = Cached::new(Duration::ZERO);
        let calls = Counter::default();
        assert_eq!(*cached.get(|_| true, counting(&calls)).await.unwrap(), 1);

        let (started, finish) = (
            Arc::new(tokio::sync::Notify::new()),
            Arc::new(tokio::sync::Notify::new()),
        );
        let slow = {
            let (started, finish) = (Arc::clone(&started), Arc::clone(&finish));
            move || async move {
                started.notify_one();
                finish.notified().await;
                Ok(10)
            }
        };
        // Old: served at once, and counted again in the background.
        assert_eq!(*cached.get(|_| true, slow).await.unwrap(), 1);
        started.notified().await;
        // Counting is under way: the old value again, and no second count.
        assert_eq!(*cached.get(|_| true, counting(&calls)).await.unwrap(), 1);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // A request the old value does not fit waits for the new one.
        finish.notify_one();
        assert_eq!(
            *cached.get(|n| *n >= 10, counting(&calls)).await.unwrap(),
            10
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failure_is_not_kept() {
        let cached = Cached::new(Duration::from_secs(60));
        let failed = cached
            .get(
                |_| true,
                || std::future::ready(Err::<usize, _>(AppError::NotFound)),
            )
            .await;
        assert!(failed.is_err());
        let calls = Counter::default();
        assert_eq!(*cached.get(|_| true, counting(&calls)).await.unwrap(), 1);
    }
}
