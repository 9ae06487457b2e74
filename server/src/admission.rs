//! Admission: at most so many requests are worked on at once, reads and
//! writes counted apart; the rest wait their turn in arrival order.
//!
//! A request makes several database queries one after another, and each
//! waits in the pool's queue. With hundreds of requests in flight, each
//! query waits behind all of them, every request takes seconds, and the
//! pool's five-second wait runs out: a crowd would make everyone fail.
//! Letting a few requests in at a time, each finishes in milliseconds and
//! the crowd is served in turn; the request's deadline
//! (`PARLEY_REQUEST_TIMEOUT_MS`) bounds the wait at the door too. Writes
//! (any method but GET and HEAD) have their own door, so that submissions
//! waiting for the database's writer never keep readers out. It is wider:
//! a writing request waits for its turn at the writer (`Db::begin`) before
//! it takes a connection, and the feedback form's group commit writes
//! every submission let in with one commit, so a narrow door only made
//! the batches small (64 connections of first-time feedback: 3,000 a
//! second through a door of 16, 5,200 through one of 64). Static files and
//! the health check never wait.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// The two doors.
#[derive(Clone)]
pub struct Doors {
    reads: Arc<Semaphore>,
    writes: Arc<Semaphore>,
}

impl Doors {
    /// Doors letting in `reads` reading requests and `writes` writing ones
    /// at once (at least one each).
    pub fn new(reads: usize, writes: usize) -> Self {
        Self {
            reads: Arc::new(Semaphore::new(reads.max(1))),
            writes: Arc::new(Semaphore::new(writes.max(1))),
        }
    }
}

pub async fn admission(State(doors): State<Doors>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/pkg/") || path == "/healthz" {
        return next.run(request).await;
    }
    let door = if matches!(*request.method(), Method::GET | Method::HEAD) {
        &doors.reads
    } else {
        &doors.writes
    };
    // Tokio's semaphore is fair: waiting requests go in in arrival order.
    // It is never closed, so the error arm is not reached.
    let _turn = door.clone().acquire_owned().await.ok();
    next.run(request).await
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;
    use std::time::Duration;
    use tokio::sync::Notify;

    /// One reader at a time: a second waits until the first is done, while
    /// a writer and a static file go by.
    #[tokio::test]
    async fn a_full_door_keeps_readers_waiting_and_lets_others_by() {
        let release = Arc::new(Notify::new());
        let held = Arc::clone(&release);
        let app = Router::new()
            .route(
                "/slow",
                get(move || {
                    let held = Arc::clone(&held);
                    async move {
                        held.notified().await;
                        "slow"
                    }
                }),
            )
            .route(
                "/fast",
                get(|| async { "fast" }).post(|| async { "written" }),
            )
            .route("/pkg/app.js", get(|| async { "js" }))
            .layer(axum::middleware::from_fn_with_state(
                Doors::new(1, 1),
                admission,
            ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let client = reqwest::Client::new();

        let slow = tokio::spawn({
            let (client, base) = (client.clone(), base.clone());
            async move { client.get(format!("{base}/slow")).send().await.unwrap() }
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        let waiting = tokio::spawn({
            let (client, base) = (client.clone(), base.clone());
            async move { client.get(format!("{base}/fast")).send().await.unwrap() }
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!waiting.is_finished(), "a second reader went in");
        let written = client.post(format!("{base}/fast")).send().await.unwrap();
        assert_eq!(written.text().await.unwrap(), "written");
        let script = client
            .get(format!("{base}/pkg/app.js"))
            .send()
            .await
            .unwrap();
        assert_eq!(script.text().await.unwrap(), "js");
        assert!(!waiting.is_finished(), "a second reader went in");

        release.notify_one();
        assert_eq!(slow.await.unwrap().text().await.unwrap(), "slow");
        let answered = tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("the waiting reader was let in")
            .unwrap();
        assert_eq!(answered.text().await.unwrap(), "fast");
    }
}
