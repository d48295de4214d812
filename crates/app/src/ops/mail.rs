//! Mail a person receives: how they hear of each reason, one-click
//! unsubscribing, and resetting a forgotten password by mail.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tandem_core::mail::{MailDelivery, REASONS, reason};
use tandem_core::{Id, validate};
use utoipa::ToSchema;

use crate::error::AppError;
use crate::outbound::mail::daily_reasons;
use crate::{App, secrets};

/// One reason and how the person hears of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonSetting {
    pub reason: &'static str,
    pub label: &'static str,
    pub delivery: MailDelivery,
    /// How it is heard of until chosen.
    pub default: MailDelivery,
}

/// `GET /me/notification-settings`.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationSettings {
    /// Where the mail goes.
    pub email: String,
    /// Whether this server sends mail at all.
    pub mail_enabled: bool,
    /// Each reason's delivery by its word, as `PUT` takes it.
    pub settings: BTreeMap<&'static str, MailDelivery>,
    pub reasons: Vec<ReasonSetting>,
}

/// `PUT /me/notification-settings`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutNotificationSettings {
    /// Reasons to change (`decision_needed`, `mention`, `informed`,
    /// `webhook_disabled`) with `instant`, `daily` or `off`; others stay.
    pub settings: BTreeMap<String, MailDelivery>,
}

pub async fn settings(state: &App, user: Id) -> Result<NotificationSettings, AppError> {
    let u = state.store.user(user).await?;
    let chosen = state.store.notification_settings(user).await?;
    let reasons: Vec<ReasonSetting> = REASONS
        .iter()
        .map(|r| ReasonSetting {
            reason: r.word,
            label: r.label,
            delivery: chosen.iter().find(|(w, _)| w == r.word).map_or(r.default, |(_, d)| *d),
            default: r.default,
        })
        .collect();
    Ok(NotificationSettings {
        email: u.email,
        mail_enabled: state.settings.smtp.is_some(),
        settings: reasons.iter().map(|r| (r.reason, r.delivery)).collect(),
        reasons,
    })
}

pub async fn set_settings(
    state: &App,
    user: Id,
    req: PutNotificationSettings,
) -> Result<NotificationSettings, AppError> {
    let mut choices = Vec::with_capacity(req.settings.len());
    for (word, delivery) in &req.settings {
        let r = reason(word).ok_or_else(|| {
            let words: Vec<&str> = REASONS.iter().map(|r| r.word).collect();
            AppError::invalid("settings", format!("unknown reason \"{word}\": one of {}", words.join(", ")))
        })?;
        choices.push((r.word, *delivery));
    }
    state.store.set_notification_settings(user, &choices).await?;
    settings(state, user).await
}

/// What an unsubscribe link stops, as a page says it; not found for an
/// unknown link.
pub async fn unsubscribe_subject(state: &App, token: &str) -> Result<String, AppError> {
    let (_, word) = state.store.unsubscribe_target(token).await?.ok_or(AppError::NotFound)?;
    Ok(subject_of(&word))
}

fn subject_of(word: &str) -> String {
    match word {
        "digest" => "the daily digest".to_owned(),
        w => reason(w).map_or_else(|| w.replace('_', " "), |r| r.label.to_lowercase()),
    }
}

/// Follows an unsubscribe link: its reason (every daily one, for the
/// digest's) is no longer mailed.
pub async fn unsubscribe(state: &App, token: &str) -> Result<String, AppError> {
    let (user, word) = state.store.unsubscribe_target(token).await?.ok_or(AppError::NotFound)?;
    let subject = subject_of(&word);
    let off: Vec<(&str, MailDelivery)> = if word == "digest" {
        let chosen = state.store.notification_settings(user).await?;
        daily_reasons(&chosen).into_iter().map(|w| (w, MailDelivery::Off)).collect()
    } else {
        reason(&word).map(|r| vec![(r.word, MailDelivery::Off)]).unwrap_or_default()
    };
    state.store.set_notification_settings(user, &off).await?;
    Ok(subject)
}

/// Asks for a reset link: mailed when the address is a person's, with no
/// sign either way (the answer is the same), at most one a minute. The
/// link points at the server's public address only: never at the host a
/// request named, which its sender chooses.
pub async fn request_reset(state: &App, email: &str) -> Result<(), AppError> {
    let Ok(email) = validate::email(email) else { return Ok(()) };
    let Some(user) = state.store.user_by_email(&email).await? else { return Ok(()) };
    let token = secrets::generate("pwr_")?;
    match state.store.create_password_reset(user.id, &secrets::hash(&token), &token, None, state.clock.now()).await {
        Ok(()) | Err(tandem_store::StoreError::Conflict(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Uses a reset link once: sets the password and signs the person out
/// everywhere. Not found for an unknown, used or expired link.
pub async fn reset(state: &App, token: &str, password: String) -> Result<(), AppError> {
    validate::password(&password)?;
    let hash = secrets::hash_password(password).await?;
    state.store.reset_password(&secrets::hash(token), &hash, state.clock.now()).await?;
    Ok(())
}
