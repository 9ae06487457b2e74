//! Builds the application: database, migrations, router, listener. Tests
//! call [`Application::build`] with their own settings and port 0.

use crate::config::Settings;
use crate::security::EdgePolicy;
use crate::{database, feeds, health, html, locale, security, stats, telemetry};
use anyhow::Context as _;
use app::app::{App, shell};
use app::auth::session::PrivateCookies;
use app::dashboard::db::Figures;
use app::db::Db;
use app::error::AppError;
use app::security::rate_limit::{FeedbackLimit, Limit, SignUpLimit};
use app::security::{AddressKey, PublicOrigin};
use axum::Router;
use axum::body::Body;
use axum::extract::{FromRef, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leptos::prelude::*;
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;

/// What every handler can reach through axum state.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub address_key: AddressKey,
    pub session_cookie: PrivateCookies,
    pub public_origin: PublicOrigin,
    /// The dashboard's and the open data's counts, kept a few minutes.
    pub figures: Arc<Figures>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

pub struct Application {
    listener: TcpListener,
    /// `/metrics`, on its own address, when configured.
    metrics: Option<(TcpListener, Router)>,
    router: Router,
    db: Db,
    figures: Arc<Figures>,
}

impl Application {
    /// Connects, migrates (a failed migration is an error: the process must
    /// not serve a half-migrated database) and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        app::ui::time::zone::set(&settings.timezone).map_err(anyhow::Error::msg)?;
        let db = database::connect(&settings).await?;
        database::migrate(&db).await?;
        let address_key = AddressKey::load_or_create(&db).await?;
        let workers = match db.backend() {
            // One claiming worker: SQLite has one writer anyway.
            app::db::Backend::Sqlite => settings.pipeline.workers.min(1),
            app::db::Backend::Postgres => settings.pipeline.workers,
        };
        // Built before listening: once the port is open, the process is
        // ready (and handles SIGTERM), not still loading language models.
        let detector = if workers > 0 {
            Some(crate::jobs::analysis::detector(&settings.pipeline)?)
        } else {
            None
        };
        let listener = TcpListener::bind(settings.addr)
            .await
            .with_context(|| format!("cannot listen on {}", settings.addr))?;
        let policy = EdgePolicy {
            allowed_origins: match &settings.public_origin {
                Some(origin) => vec![origin.clone()],
                None => EdgePolicy::default_origins(listener.local_addr()?),
            },
            trusted_proxies: settings.trusted_proxies.clone().into(),
        };
        let metrics = match settings.metrics_addr {
            Some(addr) => {
                let listener = TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("cannot serve metrics on {addr}"))?;
                let router = Router::new()
                    .route("/metrics", get(health::metrics))
                    .with_state(db.clone());
                Some((listener, router))
            }
            None => None,
        };
        let figures = Arc::new(Figures::default());
        let clock = crate::jobs::focus_groups::Clock {
            periods: crate::jobs::focus_groups::Periods::from_settings(&settings),
            key: address_key.clone(),
            origin: policy
                .allowed_origins
                .first()
                .cloned()
                .unwrap_or_else(|| format!("http://{}", settings.addr)),
            reminder_hours: settings.focus_group_reminder_hours.clone(),
        };
        let intake = app::feedback::intake::Intake::start(db.clone())
            .context("cannot start the feedback writer's thread")?;
        let router = router(
            db.clone(),
            intake,
            address_key,
            Arc::new(policy),
            Arc::clone(&figures),
            &settings,
        );
        let sender = crate::jobs::outbox::Sender::from_settings(&settings)?;
        tokio::spawn(crate::jobs::outbox::run(
            db.clone(),
            sender,
            std::time::Duration::from_millis(settings.outbox_interval_ms.max(100)),
        ));
        tokio::spawn(crate::jobs::focus_groups::run(db.clone(), clock));
        if let Some(detector) = detector {
            for _ in 0..workers {
                tokio::spawn(crate::jobs::analysis::run(
                    crate::jobs::analysis::Worker::new(
                        db.clone(),
                        detector.clone(),
                        settings.pipeline.clone(),
                    ),
                ));
            }
            tracing::info!(workers, languages = %settings.pipeline.languages, "analysis workers started");
        }
        Ok(Self {
            listener,
            metrics,
            router,
            db,
            figures,
        })
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Where `/metrics` is served, if anywhere.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics
            .as_ref()
            .and_then(|(listener, _)| listener.local_addr().ok())
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Starts counting the dashboard and the open data (see
    /// [`Figures::count_in_background`]).
    pub fn count_figures_in_background(&self) {
        self.figures.count_in_background(&self.db);
    }

    /// Serves until `shutdown` completes, then finishes the requests in
    /// flight and closes the pool.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let addr = self.local_addr()?;
        tracing::info!(%addr, "listening");
        if let Some((listener, router)) = self.metrics {
            let metrics_addr = listener.local_addr()?;
            tracing::info!(%metrics_addr, "serving metrics");
            tokio::spawn(async move {
                if let Err(error) = axum::serve(listener, router).await {
                    tracing::error!(%error, "the metrics listener stopped");
                }
            });
        }
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("server error")?;
        self.db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Leptos options from our settings alone: the binary runs without any
/// `LEPTOS_*` variable, from the repository root or wherever `PARLEY_SITE_ROOT`
/// points.
fn leptos_options(settings: &Settings) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("parley")
        .site_root(settings.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(settings.addr)
        .env(leptos::config::Env::PROD)
        .build()
}

pub fn router(
    db: Db,
    intake: app::feedback::intake::Intake,
    address_key: AddressKey,
    policy: Arc<EdgePolicy>,
    figures: Arc<Figures>,
    settings: &Settings,
) -> Router {
    let leptos_options = leptos_options(settings);
    let pkg_dir = settings.site_root.join("pkg");
    let max_body_bytes = settings.max_body_bytes;
    let request_timeout_ms = settings.request_timeout_ms;
    let page_cache_ms = settings.page_cache_ms;
    let doors =
        crate::admission::Doors::new(settings.requests_in_flight, settings.writes_in_flight);
    // `Secure` cookies (and the `__Host-` prefix) when residents use https.
    let session_cookie = PrivateCookies {
        secure: policy
            .allowed_origins
            .iter()
            .all(|origin| origin.starts_with("https://")),
    };
    let public_origin = PublicOrigin(
        policy
            .allowed_origins
            .first()
            .cloned()
            .unwrap_or_else(|| format!("http://{}", settings.addr)),
    );
    let state = AppState {
        leptos_options,
        db,
        address_key,
        session_cookie,
        public_origin,
        figures,
    };
    let routes = route_list().to_vec();

    Router::new()
        .route("/", get(locale::root_redirect))
        .route("/healthz", get(health::healthz))
        .route("/feed.atom", get(feeds::town_feed))
        .route("/feed/{file}", get(feeds::area_feed))
        .route("/feed/drafts/{file}", get(feeds::responses_feed))
        .route("/api/v1/stats", get(stats::stats))
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let db = state.db.clone();
                let figures = state.figures.clone();
                let address_key = state.address_key.clone();
                let session_cookie = state.session_cookie;
                let public_origin = state.public_origin.clone();
                let sign_up_limit = SignUpLimit(Limit {
                    max: settings.sign_ups_per_hour,
                    ..Limit::SIGN_UP
                });
                let posting = settings.posting;
                let feedback_limit =
                    FeedbackLimit((settings.feedback_per_hour > 0).then_some(Limit {
                        max: settings.feedback_per_hour,
                        ..FeedbackLimit::DEFAULT
                    }));
                let focus_groups = app::focus_groups::Rules {
                    offer_millis: i64::from(settings.focus_group_offer_hours) * 3_600_000,
                    reminder_hours: settings.focus_group_reminder_hours.clone().into(),
                };
                move || {
                    provide_context(focus_groups.clone());
                    provide_context(intake.clone());
                    provide_context(posting);
                    provide_context(feedback_limit);
                    provide_context(sign_up_limit);
                    provide_context(db.clone());
                    provide_context(figures.clone());
                    provide_context(address_key.clone());
                    provide_context(session_cookie);
                    provide_context(public_origin.clone());
                }
            },
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .nest_service("/pkg", ServeDir::new(pkg_dir))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(server_fn_error_status))
        .layer(axum::middleware::from_fn(multipart_needs_its_boundary))
        .layer(axum::middleware::from_fn(html::tidy_html))
        .layer(axum::middleware::from_fn_with_state(
            crate::refill::Refills::default(),
            crate::refill::refill,
        ))
        .layer(axum::middleware::from_fn(locale::remember_locale))
        .layer(axum::middleware::from_fn(locale::trim_trailing_slash))
        .layer(axum::middleware::from_fn_with_state(
            doors,
            crate::admission::admission,
        ))
        .layer(axum::middleware::from_fn_with_state(
            std::time::Duration::from_millis(request_timeout_ms.max(1)),
            crate::deadline::deadline,
        ))
        .layer(axum::middleware::from_fn_with_state(
            crate::page_cache::PageCache::new(std::time::Duration::from_millis(page_cache_ms)),
            crate::page_cache::page_cache,
        ))
        .layer(axum::middleware::from_fn_with_state(policy, security::edge))
        .layer(axum::middleware::from_fn_with_state(
            session_cookie.secure,
            security::secure_headers,
        ))
        .layer(axum::middleware::from_fn(telemetry::request_span))
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(max_body_bytes))
        .with_state(state)
}

/// Server functions that take a file (a multipart form).
const MULTIPART_FUNCTIONS: &[&str] =
    &[<app::focus_groups::api::UploadFocusGroupNotes as leptos::server_fn::ServerFn>::PATH];

/// A request to a server function that takes a file must be a multipart
/// form with its boundary: Leptos' decoder panics on anything else (and
/// the connection is dropped), so anything else is refused here with
/// `BadRequest`, as every malformed request is.
async fn multipart_needs_its_boundary(request: Request<Body>, next: Next) -> Response {
    if !MULTIPART_FUNCTIONS.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let has_boundary = request
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            let mut parts = value.split(';').map(str::trim);
            parts
                .next()
                .is_some_and(|kind| kind.eq_ignore_ascii_case("multipart/form-data"))
                && parts.any(|part| {
                    part.split_once('=').is_some_and(|(name, boundary)| {
                        name.trim().eq_ignore_ascii_case("boundary")
                            && !boundary.trim().trim_matches('"').is_empty()
                    })
                })
        });
    if has_boundary {
        return next.run(request).await;
    }
    let body = serde_json::to_string(&AppError::BadRequest).unwrap_or_default();
    Response::builder()
        .status(http::StatusCode::BAD_REQUEST)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap_or_default()
}

/// A failed server function answers with the status of its `AppError`
/// (404, 503, …) rather than Leptos' blanket 500.
async fn server_fn_error_status(request: Request<Body>, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != http::StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = http::StatusCode::from_u16(error.status()).unwrap_or(parts.status);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The Leptos route table, generated once per process. Generating it renders
/// the app in a special mode; doing it again while another router in the
/// same process serves pages (as the integration tests do) made some of
/// those renders stall, so every router shares the first table.
fn route_list() -> &'static [AxumRouteListing] {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App))
}

async fn not_found() -> Response {
    (http::StatusCode::NOT_FOUND, "not found").into_response()
}

/// Registers for Ctrl-C and SIGTERM now, and returns a future that completes
/// on either. Registering before the listener binds matters: a signal that
/// arrives between binding and the first poll of a lazily registered handler
/// would take the default action and kill the process mid-request.
pub fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt()).context("cannot listen for Ctrl-C")?;
        let mut terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
            tracing::info!("shutdown requested");
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            if let Err(error) = tokio::signal::ctrl_c().await {
                tracing::error!(%error, "cannot listen for Ctrl-C");
                std::future::pending::<()>().await;
            }
            tracing::info!("shutdown requested");
        })
    }
}
