use std::ops::Deref;
use std::sync::Arc;

use tandem_app::App;

use crate::config::Config;

/// What every handler can reach: the application layer and the server's
/// own settings. Holds nothing two server processes could disagree on.
#[derive(Clone, Debug)]
pub struct AppState {
    pub app: App,
    pub config: Arc<Config>,
}

impl AppState {
    pub fn new(store: tandem_store::Store, config: Config) -> AppState {
        let settings = tandem_app::Settings {
            invitation_ttl: config.invitation_ttl,
            session_ttl: config.session_ttl,
            login_attempts_per_client: config.login_attempts_per_client,
            login_attempts_per_account: config.login_attempts_per_account,
            login_window: config.login_window,
            ingest_per_minute: config.ingest_per_minute,
            writes_per_minute: config.writes_per_minute,
            sign_ins_per_minute: config.sign_ins_per_minute,
            ingest_per_address_per_minute: config.ingest_per_address_per_minute,
            analytics_raw_days: config.analytics_raw_days,
            public_url: config.public_url.clone(),
            webhooks_allow_private: config.webhooks_allow_private,
            webhook_timeout: config.webhook_timeout,
            outbox_poll: config.outbox_poll,
            smtp: config.smtp.clone(),
            digest_hour: config.digest_hour,
            oidc: config.oidc.clone(),
            password_login: config.password_login,
        };
        AppState { app: App::new(store, settings), config: Arc::new(config) }
    }
}

/// Handlers hand the state to use cases as `&App`.
impl Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}
