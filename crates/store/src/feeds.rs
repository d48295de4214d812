//! Each person's secret calendar feed address.

use tandem_core::{Id, Millis};

use crate::{Result, Store};

impl Store {
    /// The token of `user`'s calendar feed, if one was made.
    pub async fn calendar_feed_token(&self, user: Id) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT token FROM calendar_feeds WHERE user_id = $1")
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Gives `user`'s feed the token `token`; an earlier one stops working.
    pub async fn set_calendar_feed_token(&self, user: Id, token: &str, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO calendar_feeds (user_id, token, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET token = excluded.token, created_at = excluded.created_at",
        )
        .bind(user.0)
        .bind(token)
        .bind(now.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whose feed `token` opens.
    pub async fn calendar_feed_owner(&self, token: &str) -> Result<Option<Id>> {
        let v: Option<i64> = sqlx::query_scalar("SELECT user_id FROM calendar_feeds WHERE token = $1")
            .bind(token)
            .fetch_optional(&self.pool)
            .await?;
        Ok(v.map(Id))
    }
}
