//! A page's data: rendered whole on the server once loaded (the pages are
//! `SsrMode::Async`), or the error in the reader's language with its
//! status.

use super::error_message::PageError;
use crate::error::AppError;
use leptos::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Shows `resource` with `show` once it is loaded, or its error.
#[component]
pub fn Loaded<T>(resource: Resource<Result<T, AppError>>, show: fn(T) -> AnyView) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
{
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match resource.await {
                    Ok(value) => show(value),
                    Err(error) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
