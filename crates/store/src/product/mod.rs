//! The product side: products and everything a product manager keeps
//! under one. Every object row carries its workspace and product, so the
//! server can resolve "whose is this id" with one indexed lookup.

mod features;
mod feedback;
mod market;
mod okrs;
mod releases;

use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row, Transaction};
use tandem_core::markdown;
use tandem_core::product::Product;
use tandem_core::scoring::Framework;
use tandem_core::validate::Invalid;
use tandem_core::{Id, Millis};

use crate::activity::{Change, change, record, record_update};
use crate::rows::{check_version, id, millis, word};
use crate::{Page, Result, Store, StoreError};

pub use features::{FeatureEdit, NewFeature};
pub use feedback::{FeedbackBulk, FeedbackEdit, FeedbackFilter, MAX_BULK, NewFeedback};
pub use market::{CompetitorEdit, FedSeries, MetricPointInput, NewMetricSeries};
pub use okrs::{KeyResultEdit, NewKeyResult, ObjectiveEdit};
pub use releases::ReleaseEdit;

pub(crate) type Tx = Transaction<'static, Any>;

/// The kinds of object that live under a product, addressed by id alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductObject {
    Product,
    Feature,
    Feedback,
    Release,
    Objective,
    KeyResult,
    Competitor,
    MetricSeries,
    IngestKey,
}

/// Which workspace and product an object belongs to, and who owns that
/// product: all the authorisation guard needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProductScope {
    pub workspace_id: Id,
    pub product_id: Id,
    pub owner_id: Id,
}

impl ProductObject {
    fn scope_sql(self) -> &'static str {
        macro_rules! via {
            ($table:literal) => {
                concat!(
                    "SELECT p.workspace_id, p.id AS product_id, p.owner_id FROM ",
                    $table,
                    " x JOIN products p ON p.id = x.product_id WHERE x.id = $1"
                )
            };
        }
        match self {
            ProductObject::Product => "SELECT workspace_id, id AS product_id, owner_id FROM products WHERE id = $1",
            ProductObject::Feature => via!("features"),
            ProductObject::Feedback => via!("feedback"),
            ProductObject::Release => via!("releases"),
            ProductObject::Objective => via!("objectives"),
            ProductObject::Competitor => via!("competitors"),
            ProductObject::MetricSeries => via!("metric_series"),
            ProductObject::IngestKey => via!("ingest_keys"),
            ProductObject::KeyResult => {
                "SELECT p.workspace_id, p.id AS product_id, p.owner_id FROM key_results x \
                 JOIN objectives o ON o.id = x.objective_id JOIN products p ON p.id = o.product_id WHERE x.id = $1"
            }
        }
    }
}

/// A new product's fields, validated by the caller.
#[derive(Debug, Clone)]
pub struct NewProduct {
    pub key: String,
    pub name: String,
    pub vision: String,
    pub strategy: String,
    pub owner_id: Id,
    pub default_framework: Framework,
}

/// The fields of a product an update may change.
#[derive(Debug, Clone)]
pub struct ProductEdit {
    pub name: String,
    pub vision: String,
    pub strategy: String,
    pub owner_id: Id,
    pub default_framework: Framework,
}

macro_rules! product_cols {
    () => {
        "p.id, p.workspace_id, p.key, p.name, p.vision, p.strategy, p.owner_id, p.default_framework, p.version, \
         p.created_at, p.updated_at"
    };
}

fn product(row: &AnyRow) -> Result<Product> {
    let vision: String = row.try_get("vision")?;
    let strategy: String = row.try_get("strategy")?;
    Ok(Product {
        id: id(row, "id")?,
        workspace_id: id(row, "workspace_id")?,
        key: row.try_get("key")?,
        name: row.try_get("name")?,
        vision_html: markdown::render(&vision),
        vision,
        strategy_html: markdown::render(&strategy),
        strategy,
        owner_id: id(row, "owner_id")?,
        default_framework: word(row, "default_framework", Framework::parse)?,
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

async fn fetch_product<'e, E: Executor<'e, Database = Any>>(ex: E, product: Id) -> Result<Product> {
    let row = sqlx::query(concat!("SELECT ", product_cols!(), " FROM products p WHERE p.id = $1"))
        .bind(product.0)
        .fetch_optional(ex)
        .await?
        .ok_or(StoreError::NotFound)?;
    self::product(&row)
}

/// Fails unless `object` (a release or feature) belongs to `product`:
/// links never cross products.
pub(crate) async fn check_same_product(tx: &mut Tx, table: Table, object: Id, product: Id) -> Result<()> {
    let sql = match table {
        Table::Releases => "SELECT product_id FROM releases WHERE id = $1",
        Table::Features => "SELECT product_id FROM features WHERE id = $1",
        Table::MetricSeries => "SELECT product_id FROM metric_series WHERE id = $1",
    };
    let owner: Option<i64> = sqlx::query_scalar(sql).bind(object.0).fetch_optional(&mut **tx).await?;
    if owner == Some(product.0) {
        Ok(())
    } else {
        let what = match table {
            Table::Releases => "release_id",
            Table::Features => "feature_id",
            Table::MetricSeries => "metric_id",
        };
        Err(StoreError::Invalid(Invalid::new(what, format!("{object} is not one of this product's"))))
    }
}

/// The tables [`check_same_product`] can look in.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Table {
    Releases,
    Features,
    MetricSeries,
}

impl Store {
    /// Which workspace and product `id` (of kind `kind`) belongs to.
    pub async fn product_scope(&self, kind: ProductObject, object: Id) -> Result<ProductScope> {
        let row = sqlx::query(kind.scope_sql())
            .bind(object.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(ProductScope {
            workspace_id: id(&row, "workspace_id")?,
            product_id: id(&row, "product_id")?,
            owner_id: id(&row, "owner_id")?,
        })
    }

    pub async fn create_product(&self, actor: Id, ws: Id, new: &NewProduct, now: Millis) -> Result<Product> {
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "INSERT INTO products (workspace_id, key, name, vision, strategy, owner_id, default_framework, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        )
        .bind(ws.0)
        .bind(&new.key)
        .bind(&new.name)
        .bind(&new.vision)
        .bind(&new.strategy)
        .bind(new.owner_id.0)
        .bind(new.default_framework.as_str())
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict(format!("a product with key {} already exists", new.key)),
            other => other,
        })?;
        let p = fetch_product(&mut *tx, id(&row, "id")?).await?;
        record(
            &mut tx,
            &Change {
                workspace_id: ws,
                actor_id: Some(actor),
                action: "product.created",
                subject_type: "product",
                subject_id: p.id,
                before: None,
                after: Some(json!({"key": p.key, "name": p.name})),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(p)
    }

    pub async fn product(&self, product: Id) -> Result<Product> {
        fetch_product(&self.pool, product).await
    }

    /// The workspace's products by name.
    pub async fn products(&self, ws: Id, after: Option<Id>, limit: i64) -> Result<Page<Product>> {
        let sql = concat!(
            "SELECT ",
            product_cols!(),
            " FROM products p WHERE p.workspace_id = $1 AND p.id > $2 ORDER BY p.id LIMIT $3"
        );
        crate::workspace_page(&self.pool, sql, ws, after, limit, product, |p| p.id).await
    }

    /// Applies `edit` to the stored product if `version` is current.
    pub async fn update_product(
        &self,
        actor: Id,
        product: Id,
        version: i64,
        edit: impl FnOnce(&mut ProductEdit) -> Result<(), Invalid>,
        now: Millis,
    ) -> Result<Product> {
        let mut tx = self.write().await?;
        let before = fetch_product(&mut *tx, product).await?;
        check_version(before.version, version)?;
        let mut e = ProductEdit {
            name: before.name.clone(),
            vision: before.vision.clone(),
            strategy: before.strategy.clone(),
            owner_id: before.owner_id,
            default_framework: before.default_framework,
        };
        edit(&mut e)?;
        sqlx::query(
            "UPDATE products SET name = $1, vision = $2, strategy = $3, owner_id = $4, default_framework = $5, \
             version = version + 1, updated_at = $6 WHERE id = $7",
        )
        .bind(&e.name)
        .bind(&e.vision)
        .bind(&e.strategy)
        .bind(e.owner_id.0)
        .bind(e.default_framework.as_str())
        .bind(now.0)
        .bind(product.0)
        .execute(&mut *tx)
        .await?;
        let after = fetch_product(&mut *tx, product).await?;
        record_update(
            &mut tx,
            change(before.workspace_id, actor, "product.updated", "product", product),
            &before,
            &after,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

/// The workspace of a product, inside a transaction.
pub(crate) async fn product_in(tx: &mut Tx, product: Id) -> Result<Product> {
    fetch_product(&mut **tx, product).await
}
