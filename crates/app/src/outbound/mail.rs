//! The mail worker: queues the daily digests that are due, takes the
//! mails due from the outbox, writes each (notification, digest,
//! invitation, password reset) and sends it over SMTP, retrying with
//! backoff; without a mail server the queued mail fails at once, so
//! nothing piles up.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tandem_core::mail::{KEEP_SENT_MS, REASONS, reason};
use tandem_core::{Id, Millis};
use tandem_store::mail::{MailKind, OutMail, Sent};
use tokio::sync::watch;

use super::letter::{Letter, Piece};
use crate::error::AppError;
use crate::metrics::{self, Queue};
use crate::{App, secrets};

/// The mails one pass takes at most.
const BATCH: i64 = 20;
/// A send's claim (longer than any send takes).
const HOLD_MS: i64 = 120_000;

/// How the server reaches its mail server.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    /// `Tandem <tandem@example.com>`.
    pub from: String,
}

/// Credentials stay out of logs.
impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("from", &self.from)
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain SMTP (a relay on the same host or network).
    None,
    /// Upgrade with STARTTLS, required.
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl SmtpSecurity {
    pub fn parse(word: &str) -> Option<SmtpSecurity> {
        match word {
            "none" => Some(SmtpSecurity::None),
            "starttls" => Some(SmtpSecurity::StartTls),
            "tls" => Some(SmtpSecurity::Tls),
            _ => None,
        }
    }
}

struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The domain of Message-IDs.
    domain: String,
}

fn mailer(s: &SmtpSettings) -> Result<Mailer, String> {
    super::tls();
    let tls = |h: &str| TlsParameters::new(h.to_owned()).map_err(|e| format!("TLS for {h}: {e}"));
    let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(s.host.clone())
        .port(s.port)
        .timeout(Some(Duration::from_secs(30)));
    b = match s.security {
        SmtpSecurity::None => b.tls(Tls::None),
        SmtpSecurity::StartTls => b.tls(Tls::Required(tls(&s.host)?)),
        SmtpSecurity::Tls => b.tls(Tls::Wrapper(tls(&s.host)?)),
    };
    if let Some(user) = &s.username {
        b = b.credentials(Credentials::new(user.clone(), s.password.clone().unwrap_or_default()));
    }
    let from: Mailbox = s.from.parse().map_err(|e| format!("the sender {}: {e}", s.from))?;
    let domain = from.email.domain().to_owned();
    Ok(Mailer { transport: b.build(), from, domain })
}

/// Checks mail settings at start, so a bad sender stops the server with
/// one clear line rather than failing every mail.
pub fn check(s: &SmtpSettings) -> Result<(), String> {
    mailer(s).map(|_| ())
}

/// Runs the worker until `stop` turns true.
pub fn spawn(app: App, mut stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mailer = match app.settings.smtp.as_ref().map(mailer) {
            Some(Ok(m)) => Some(m),
            Some(Err(e)) => {
                tracing::error!("mail stays unsent: {e}");
                None
            }
            None => None,
        };
        let mut pruned = Millis(0);
        // The digest time this server has queued for: the scan over
        // notifications runs once when a digest hour comes round, not on
        // every pass.
        let mut digested = Millis(i64::MIN);
        loop {
            if *stop.borrow() {
                return;
            }
            let now = app.clock.now();
            if now.0 - pruned.0 > 3_600_000 {
                if let Err(e) = app.store.prune_mail(Millis(now.0 - KEEP_SENT_MS)).await {
                    tracing::warn!("mail log: {e}");
                }
                // Rate-limit windows long over go too, on the same round.
                if let Err(e) = crate::limits::prune(&app).await {
                    tracing::warn!("rate limits: {e}");
                }
                pruned = now;
            }
            match pass(&app, mailer.as_ref(), &mut digested).await {
                Ok(n) if n as i64 >= BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!("mail pass: {e}"),
            }
            tokio::select! {
                _ = tokio::time::sleep(app.settings.outbox_poll) => {}
                _ = stop.changed() => {}
            }
        }
    })
}

/// The last time digests were due at or before `now`: today's digest hour
/// (UTC) once it has come, else yesterday's.
pub fn digests_due_since(now: Millis, hour: u8) -> Millis {
    const DAY: i64 = 86_400_000;
    let today = now.0.div_euclid(DAY) * DAY + i64::from(hour) * 3_600_000;
    Millis(if today <= now.0 { today } else { today - DAY })
}

async fn pass(app: &App, mailer: Option<&Mailer>, digested: &mut Millis) -> Result<usize, AppError> {
    let now = app.clock.now();
    let due = digests_due_since(now, app.settings.digest_hour);
    if mailer.is_some() && due != *digested {
        app.store.queue_digests(now, due).await?;
        *digested = due;
    }
    let due = app.store.claim_mail(now, BATCH, HOLD_MS).await?;
    let n = due.len();
    for m in due {
        let sent = match mailer {
            None => Sent::Unsendable("no mail server is configured (--smtp-host)".to_owned()),
            Some(mailer) => send(app, mailer, &m).await,
        };
        app.metrics.outbox_attempt(Queue::Mail, metrics::Attempt::of(matches!(sent, Sent::Delivered { .. })));
        app.store.finish_mail(&m, &sent, app.clock.now()).await?;
    }
    Ok(n)
}

async fn send(app: &App, mailer: &Mailer, m: &OutMail) -> Sent {
    let letter = match write(app, m).await {
        Ok(Some(l)) => l,
        Ok(None) => return Sent::Unsendable("nothing left to tell".to_owned()),
        Err(e) => return Sent::Failed(e.to_string()),
    };
    let to = match m.to.parse::<lettre::Address>() {
        Ok(a) => Mailbox::new(m.to_name.clone(), a),
        Err(e) => return Sent::Unsendable(format!("bad address {}: {e}", m.to)),
    };
    let random = match secrets::generate("") {
        Ok(r) => r,
        Err(e) => return Sent::Failed(e.to_string()),
    };
    let message_id = format!("<tandem.{}.{}@{}>", m.id, &random[..12.min(random.len())], mailer.domain);
    let message = match letter.message(&mailer.from, to, &message_id) {
        Ok(msg) => msg,
        Err(e) => return Sent::Unsendable(e),
    };
    match mailer.transport.send(message).await {
        Ok(_) => Sent::Delivered { subject: letter.subject.clone(), message_id },
        Err(e) if e.is_permanent() => Sent::Unsendable(format!("refused: {e}")),
        Err(e) => Sent::Failed(e.to_string()),
    }
}

/// Where links in mail point.
fn base(app: &App, m: &OutMail) -> String {
    app.settings
        .public_url
        .clone()
        .or_else(|| m.link_base.clone())
        .unwrap_or_else(|| "http://localhost:8080".to_owned())
        .trim_end_matches('/')
        .to_owned()
}

/// The unsubscribe address of `user` for `reason` (`digest`: every
/// reason heard of daily).
async fn unsubscribe(app: &App, base: &str, user: Id, reason: &str) -> Result<String, AppError> {
    let candidate = secrets::generate("uns_")?;
    let token = app.store.unsubscribe_token(user, reason, &candidate).await?;
    Ok(format!("{base}/unsubscribe/{token}"))
}

fn text(t: impl Into<String>) -> Piece {
    Piece::Text(t.into())
}

fn link(t: impl Into<String>, url: impl Into<String>) -> Piece {
    Piece::Link { text: t.into(), url: url.into() }
}

/// Writes a mail; none when what it told of is gone.
async fn write(app: &App, m: &OutMail) -> Result<Option<Letter>, AppError> {
    let base = base(app, m);
    let settings = format!("{base}/settings/email");
    match &m.kind {
        MailKind::Notification(n) => {
            let Some(user) = m.user_id else { return Ok(None) };
            let n = match app.store.notification(user, *n).await {
                Ok(n) => n,
                Err(tandem_store::StoreError::NotFound) => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            let stop = unsubscribe(app, &base, user, &n.reason).await?;
            let why = reason(&n.reason).map_or("you are notified of it", |r| r.label);
            let mut l = Letter::new(&format!("[Tandem] {}", n.text));
            l.paragraphs.push(vec![text(n.text.clone())]);
            l.paragraphs.push(vec![link("Open it in Tandem", format!("{base}{}", n.link))]);
            l.footer.push(vec![
                text(format!("You get this mail for: {why}. ")),
                link("Stop these e-mails", stop.clone()),
                text(" or "),
                link("choose how you hear of each", settings),
                text("."),
            ]);
            l.unsubscribe = Some(stop);
            Ok(Some(l))
        }
        MailKind::Digest(ids) => {
            let Some(user) = m.user_id else { return Ok(None) };
            let items = app.store.notifications_by_id(user, ids).await?;
            if items.is_empty() {
                return Ok(None);
            }
            let stop = unsubscribe(app, &base, user, "digest").await?;
            let count = if items.len() == 1 { "1 update".to_owned() } else { format!("{} updates", items.len()) };
            let mut l = Letter::new(&format!("[Tandem] Your daily digest: {count}"));
            l.paragraphs.push(vec![text(format!("Since your last digest, {count} for you:"))]);
            for n in &items {
                l.paragraphs.push(vec![text(format!("{} ", n.text)), link("Open", format!("{base}{}", n.link))]);
            }
            l.footer.push(vec![
                text("You get this digest once a day for what you chose to hear of daily. "),
                link("Stop the digest", stop.clone()),
                text(" or "),
                link("choose how you hear of each", settings),
                text("."),
            ]);
            l.unsubscribe = Some(stop);
            Ok(Some(l))
        }
        MailKind::Invitation(inv) => {
            let Some(secret) = &m.secret else { return Ok(None) };
            let (workspace, inviter, role) = match app.store.invitation_for_mail(*inv).await {
                Ok(x) => x,
                Err(tandem_store::StoreError::NotFound) => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            let who = inviter.unwrap_or_else(|| "An admin".to_owned());
            let role = role.replace('_', " ");
            let mut l = Letter::new(&format!("[Tandem] {who} invited you to {workspace}"));
            l.paragraphs.push(vec![text(format!("{who} invited you to join {workspace} on Tandem as {role}."))]);
            l.paragraphs.push(vec![link("Accept the invitation", format!("{base}/invitations/{secret}"))]);
            l.paragraphs.push(vec![text("The link works for a week. If you did not expect it, ignore this mail.")]);
            Ok(Some(l))
        }
        MailKind::PasswordReset => {
            let Some(secret) = &m.secret else { return Ok(None) };
            let mut l = Letter::new("[Tandem] Reset your password");
            l.paragraphs.push(vec![text("Someone (we hope you) asked to reset your Tandem password.")]);
            l.paragraphs.push(vec![link("Choose a new password", format!("{base}/reset-password/{secret}"))]);
            l.paragraphs.push(vec![text(
                "The link works once, for an hour. If you did not ask, ignore this mail: your password stays as it is.",
            )]);
            Ok(Some(l))
        }
    }
}

/// The reasons a digest's unsubscribe link turns off: those heard of
/// daily.
pub fn daily_reasons(chosen: &[(String, tandem_core::mail::MailDelivery)]) -> Vec<&'static str> {
    REASONS
        .iter()
        .filter(|r| {
            let d = chosen.iter().find(|(w, _)| w == r.word).map_or(r.default, |(_, d)| *d);
            d == tandem_core::mail::MailDelivery::Daily
        })
        .map(|r| r.word)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_due_from_the_hour_each_day() {
        let day = 86_400_000;
        let at = |d: i64, h: i64, m: i64| Millis(d * day + h * 3_600_000 + m * 60_000);
        assert_eq!(digests_due_since(at(100, 7, 0), 7), at(100, 7, 0));
        assert_eq!(digests_due_since(at(100, 6, 59), 7), at(99, 7, 0));
        assert_eq!(digests_due_since(at(100, 23, 0), 7), at(100, 7, 0));
    }
}
