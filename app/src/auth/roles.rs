//! Privileged roles and the one guard every privileged server function
//! calls first: [`require_role`].
//!
//! A role is granted with a scope: a moderator moderates given areas, a
//! policymaker works on given themes, an admin may do everything. A
//! privileged screen also needs the session to have proved the second factor.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Moderator,
    Policymaker,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Moderator, Role::Policymaker, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Moderator => "moderator",
            Role::Policymaker => "policymaker",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }
}

/// One role granted to an account, with its scope: an area for a
/// moderator, a theme for a policymaker, nothing for an admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub id: i64,
    pub role: Role,
    pub area_id: Option<i64>,
    pub theme_id: Option<i64>,
}

/// What a privileged function needs of the reader. An admin meets every need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Admin,
    /// Moderator of this area.
    ModeratorOf(i64),
    /// Moderator of at least one area (pages that list "my areas").
    AnyModerator,
    /// Policymaker for this theme.
    PolicymakerOf(i64),
    /// Policymaker for at least one theme.
    AnyPolicymaker,
    /// Moderator of an area or policymaker (the staff screens).
    AnyStaff,
    /// May post an announcement for this area (`None`: the whole town):
    /// a moderator of the area, or any policymaker.
    Announcer(Option<i64>),
}

impl Need {
    /// Whether an account holding `grants` meets this need.
    pub fn met_by(self, grants: &[Grant]) -> bool {
        grants.iter().any(|grant| {
            grant.role == Role::Admin
                || match self {
                    Need::Admin => false,
                    Need::ModeratorOf(area) => {
                        grant.role == Role::Moderator && grant.area_id == Some(area)
                    }
                    Need::AnyModerator => grant.role == Role::Moderator,
                    Need::PolicymakerOf(theme) => {
                        grant.role == Role::Policymaker && grant.theme_id == Some(theme)
                    }
                    Need::AnyPolicymaker => grant.role == Role::Policymaker,
                    Need::AnyStaff => true,
                    Need::Announcer(area) => {
                        grant.role == Role::Policymaker
                            || (grant.role == Role::Moderator
                                && area.is_some()
                                && grant.area_id == area)
                    }
                }
        })
    }
}

/// A signed-in account that met a [`Need`], with all its grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: i64,
    pub display_name: String,
    pub grants: Vec<Grant>,
}

/// The guard of every privileged server function: the reader must be
/// signed in ([`AppError::SignInRequired`]), hold a role that meets `need`
/// ([`AppError::Forbidden`]), and have proved the second factor in this
/// session ([`AppError::SecondFactorRequired`]).
#[cfg(feature = "ssr")]
pub async fn require_role(need: Need) -> Result<Staff, crate::error::AppError> {
    use crate::error::AppError;

    let session = super::api::current_session()
        .await?
        .ok_or(AppError::SignInRequired)?;
    let db = crate::db::db()?;
    let grants = super::db::grants_of(db.pool(), session.user_id).await?;
    if !need.met_by(&grants) {
        tracing::info!(user_id = session.user_id, ?need, "privileged call refused");
        return Err(AppError::Forbidden);
    }
    if !session.second_factor {
        return Err(AppError::SecondFactorRequired);
    }
    Ok(Staff {
        id: session.user_id,
        display_name: session.display_name,
        grants,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(role: Role, area_id: Option<i64>, theme_id: Option<i64>) -> Grant {
        Grant {
            id: 1,
            role,
            area_id,
            theme_id,
        }
    }

    #[test]
    fn moderators_are_scoped_to_their_areas() {
        let grants = [grant(Role::Moderator, Some(1), None)];
        assert!(Need::ModeratorOf(1).met_by(&grants));
        assert!(Need::AnyModerator.met_by(&grants));
        assert!(!Need::ModeratorOf(2).met_by(&grants));
        assert!(!Need::PolicymakerOf(1).met_by(&grants));
        assert!(!Need::Admin.met_by(&grants));
    }

    #[test]
    fn policymakers_are_scoped_to_their_themes() {
        let grants = [grant(Role::Policymaker, None, Some(3))];
        assert!(Need::PolicymakerOf(3).met_by(&grants));
        assert!(!Need::PolicymakerOf(4).met_by(&grants));
        assert!(!Need::ModeratorOf(3).met_by(&grants));
        assert!(!Need::AnyModerator.met_by(&grants));
    }

    #[test]
    fn announcers_are_moderators_of_the_area_or_policymakers() {
        let moderator = [grant(Role::Moderator, Some(1), None)];
        assert!(Need::Announcer(Some(1)).met_by(&moderator));
        assert!(!Need::Announcer(Some(2)).met_by(&moderator));
        assert!(!Need::Announcer(None).met_by(&moderator));
        let policymaker = [grant(Role::Policymaker, None, Some(3))];
        assert!(Need::Announcer(None).met_by(&policymaker));
        assert!(Need::Announcer(Some(2)).met_by(&policymaker));
        assert!(Need::AnyStaff.met_by(&policymaker) && Need::AnyStaff.met_by(&moderator));
    }

    #[test]
    fn admins_meet_every_need_and_residents_none() {
        let admin = [grant(Role::Admin, None, None)];
        let needs = [
            Need::Admin,
            Need::ModeratorOf(9),
            Need::AnyModerator,
            Need::PolicymakerOf(9),
            Need::AnyPolicymaker,
            Need::AnyStaff,
            Need::Announcer(None),
        ];
        for need in needs {
            assert!(need.met_by(&admin));
            assert!(!need.met_by(&[]));
        }
    }

    #[test]
    fn roles_round_trip_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
