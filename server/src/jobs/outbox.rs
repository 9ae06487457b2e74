//! The outbox sender: takes due messages from the `outbox` table and sends
//! them by SMTP when `PARLEY_SMTP_URL` is set, or writes them to the log
//! when it is not (so a deployment without mail still works: the operator
//! finds reset links in the log). Any number of server processes may run
//! it; a claim leases messages so that each is sent once.

use crate::config::Settings;
use anyhow::Context as _;
use app::db::Db;
use app::mail::db::{Outgoing, claim_due, mark_failed, mark_sent};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How many messages one pass takes.
const BATCH: i64 = 20;

/// Where messages go.
pub enum Sender {
    Smtp {
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        from: Box<Mailbox>,
    },
    Log,
}

impl Sender {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let Some(url) = &settings.smtp_url else {
            return Ok(Sender::Log);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
            .context("PARLEY_SMTP_URL is not a valid SMTP URL")?
            .build();
        let from = settings
            .mail_from
            .parse()
            .context("PARLEY_MAIL_FROM is not a valid mailbox")?;
        Ok(Sender::Smtp {
            transport: Box::new(transport),
            from: Box::new(from),
        })
    }

    async fn send(&self, message: &Outgoing) -> anyhow::Result<()> {
        match self {
            Sender::Log => {
                // The recipient is personal data and stays out of the log.
                tracing::info!(
                    outbox_id = message.id,
                    subject = %message.subject,
                    body = %message.body,
                    "mail not sent (PARLEY_SMTP_URL is not set); its text follows"
                );
                Ok(())
            }
            Sender::Smtp { transport, from } => {
                let email = Message::builder()
                    .from(Mailbox::clone(from))
                    .to(message.recipient.parse().context("invalid recipient")?)
                    .subject(message.subject.clone())
                    .header(ContentType::TEXT_PLAIN)
                    .body(message.body.clone())
                    .context("building the message")?;
                transport.send(email).await.context("SMTP delivery")?;
                Ok(())
            }
        }
    }
}

/// Sends what is due, once; returns how many messages were sent.
pub async fn send_due(db: &Db, sender: &Sender) -> anyhow::Result<usize> {
    let due = claim_due(db, BATCH)
        .await
        .map_err(|e| anyhow::anyhow!("claiming outbox messages: {e}"))?;
    let mut sent = 0;
    for message in due {
        match sender.send(&message).await {
            Ok(()) => {
                mark_sent(db, message.id)
                    .await
                    .map_err(|e| anyhow::anyhow!("recording a sent message: {e}"))?;
                sent += 1;
            }
            Err(error) => {
                tracing::warn!(outbox_id = message.id, attempts = message.attempts, error = %error, "mail not sent; will retry");
                mark_failed(db, message.id, message.attempts, &format!("{error:#}"))
                    .await
                    .map_err(|e| anyhow::anyhow!("recording a failed message: {e}"))?;
            }
        }
    }
    Ok(sent)
}

/// Runs the sender every `interval` until the database pool is closed.
pub async fn run(db: Db, sender: Sender, interval: Duration) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if db.pool().is_closed() {
            break;
        }
        if let Err(error) = send_due(&db, &sender).await {
            tracing::warn!(error = %format!("{error:#}"), "outbox pass failed");
        }
    }
}
