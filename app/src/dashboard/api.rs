//! Server function of the dashboard.

use super::Dashboard;
use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;

#[server]
pub async fn load_dashboard(locale: Locale) -> Result<Dashboard, AppError> {
    use crate::auth::roles::{Need, require_role};

    require_role(Need::AnyPolicymaker).await?;
    super::db::dashboard(&crate::db::db()?, locale, crate::security::now_millis()).await
}
