//! Server function of the dashboard.

use super::Dashboard;
use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;

#[server]
pub async fn load_dashboard(locale: Locale) -> Result<Dashboard, AppError> {
    use crate::auth::roles::{Need, require_role};

    require_role(Need::AnyPolicymaker).await?;
    let figures = use_context::<std::sync::Arc<super::db::Figures>>().ok_or_else(|| {
        AppError::internal(anyhow::anyhow!(
            "no dashboard figures in the Leptos context"
        ))
    })?;
    super::db::dashboard(
        &crate::db::db()?,
        &figures,
        locale,
        crate::security::now_millis(),
    )
    .await
}
