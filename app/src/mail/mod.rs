//! Mail waiting to be sent (server only). Features put messages in the
//! `outbox` table, in the same transaction as what they announce; the
//! server's outbox worker sends them by SMTP when `PARLEY_SMTP_URL` is set,
//! or writes them to the log otherwise, so a deployment without mail works.

pub mod db;

/// One message for one recipient, already in the recipient's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'a> {
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// The account the message belongs to: deleting the account deletes it.
    pub user_id: Option<i64>,
}
