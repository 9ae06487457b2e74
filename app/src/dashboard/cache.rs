//! The dashboard's and the open data's counts, kept for a few minutes.
//!
//! Both count every input of the period they cover: at ten million items
//! that is seconds of work per request, and `/api/v1/stats` is public. So
//! one request at a time counts, and everybody else reads what it counted.
//! A request that finds the counts older than [`FRESH_FOR`] counts again
//! while the others go on reading the old counts; only when there are none
//! yet, or they no longer fit (a new week began), do they wait for it.

use crate::error::AppError;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long counts are served before they are counted again.
pub const FRESH_FOR: Duration = Duration::from_secs(300);

/// A value computed at most once per `fresh_for`, one computation at a
/// time.
pub struct Cached<T> {
    fresh_for: Duration,
    value: Mutex<Option<(Instant, Arc<T>)>>,
    computing: tokio::sync::Mutex<()>,
}

impl<T> Cached<T> {
    pub fn new(fresh_for: Duration) -> Self {
        Cached {
            fresh_for,
            value: Mutex::new(None),
            computing: tokio::sync::Mutex::new(()),
        }
    }

    fn current(&self) -> Option<(Instant, Arc<T>)> {
        self.value
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The value if it is fresh and `usable`; otherwise computes it with
    /// `compute`, or, while another request is computing, returns the
    /// old value when it is still `usable`.
    pub async fn get<F, Fut>(
        &self,
        usable: impl Fn(&T) -> bool,
        compute: F,
    ) -> Result<Arc<T>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, AppError>>,
    {
        let fresh =
            |(at, value): &(Instant, Arc<T>)| at.elapsed() < self.fresh_for && usable(value);
        let current = self.current();
        if let Some(current) = current.as_ref().filter(|c| fresh(c)) {
            return Ok(Arc::clone(&current.1));
        }
        let _computing = match self.computing.try_lock() {
            Ok(guard) => guard,
            Err(_) => match current {
                Some((_, value)) if usable(&value) => return Ok(value),
                _ => self.computing.lock().await,
            },
        };
        // Whoever held the lock before us may have just computed it.
        if let Some(current) = self.current().filter(|c| fresh(c)) {
            return Ok(current.1);
        }
        let value = Arc::new(compute().await?);
        *self.value.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((Instant::now(), Arc::clone(&value)));
        Ok(value)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn counter() -> (
        Arc<AtomicUsize>,
        impl Fn() -> std::future::Ready<Result<usize, AppError>>,
    ) {
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&calls);
        (calls, move || {
            std::future::ready(Ok(counted.fetch_add(1, Ordering::SeqCst) + 1))
        })
    }

    #[tokio::test]
    async fn computes_once_while_fresh() {
        let cached = Cached::new(Duration::from_secs(60));
        let (calls, compute) = counter();
        assert_eq!(*cached.get(|_| true, &compute).await.unwrap(), 1);
        assert_eq!(*cached.get(|_| true, &compute).await.unwrap(), 1);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn computes_again_when_old_or_unusable() {
        let cached = Cached::new(Duration::ZERO);
        let (_, compute) = counter();
        assert_eq!(*cached.get(|_| true, &compute).await.unwrap(), 1);
        assert_eq!(*cached.get(|_| true, &compute).await.unwrap(), 2);

        let cached = Cached::new(Duration::from_secs(60));
        let (_, compute) = counter();
        assert_eq!(*cached.get(|_| true, &compute).await.unwrap(), 1);
        assert_eq!(*cached.get(|n| *n > 1, &compute).await.unwrap(), 2);
    }

    #[tokio::test]
    async fn the_old_value_is_served_while_another_request_counts() {
        let cached = Arc::new(Cached::new(Duration::from_secs(1)));
        let (_, compute) = counter();
        assert_eq!(*cached.get(|_| true, &compute).await.unwrap(), 1);
        tokio::time::sleep(Duration::from_millis(1100)).await;

        let (started, wait) = (
            Arc::new(tokio::sync::Notify::new()),
            Arc::new(tokio::sync::Notify::new()),
        );
        let slow = {
            let (cached, started, wait) =
                (Arc::clone(&cached), Arc::clone(&started), Arc::clone(&wait));
            tokio::spawn(async move {
                cached
                    .get(
                        |_| true,
                        || async move {
                            started.notify_one();
                            wait.notified().await;
                            Ok(10)
                        },
                    )
                    .await
                    .map(|n| *n)
            })
        };
        started.notified().await;
        // Counting is under way: the old value, at once.
        assert_eq!(*cached.get(|_| true, &compute).await.unwrap(), 1);
        // Unless the old value does not fit: then wait for the new one.
        let waiting = {
            let cached = Arc::clone(&cached);
            tokio::spawn(async move {
                cached
                    .get(|n| *n >= 10, || std::future::ready(Ok(99)))
                    .await
                    .map(|n| *n)
            })
        };
        wait.notify_one();
        assert_eq!(slow.await.unwrap().unwrap(), 10);
        assert_eq!(waiting.await.unwrap().unwrap(), 10);
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
        let (_, compute) = counter();
        assert_eq!(*cached.get(|_| true, &compute).await.unwrap(), 1);
    }
}
