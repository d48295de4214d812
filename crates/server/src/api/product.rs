//! Products, their feature backlog, feedback inbox, releases and roadmap.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use tandem_core::product::{
    Feature, FeatureStatus, Feedback, FeedbackLink, FeedbackSource, FeedbackStatus, Importance, Lane, Product, Release,
    Roadmap, release_notes, roadmap, sort_backlog,
};
use tandem_core::scoring::Framework;
use tandem_core::{Id, ProductAction};
use tandem_store::product::{FeedbackFilter, ProductObject};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::List;
use crate::access::{Allowed, InProduct, ProductCreate, WorkspaceRead, product_access};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, IdPath, PageQuery, expected_version};
use crate::state::AppState;
use tandem_app::export;
use tandem_app::forecast;
use tandem_app::ops::custom::columns as custom_columns;
use tandem_app::ops::product::{
    self as ops, CreateFeature, CreateFeedback, CreateProduct, CreateRelease, LinkFeedback, MoveFeature, UpdateFeature,
    UpdateFeedback, UpdateProduct, UpdateRelease,
};
use tandem_core::custom::FieldObject;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_products, create_product))
        .routes(routes!(get_product, update_product))
        .routes(routes!(list_features, create_feature))
        .routes(routes!(features_csv))
        .routes(routes!(get_feature, update_feature, delete_feature))
        .routes(routes!(move_feature))
        .routes(routes!(list_feedback, create_feedback))
        .routes(routes!(feedback_csv))
        .routes(routes!(get_feedback, update_feedback))
        .routes(routes!(list_links, link_feedback))
        .routes(routes!(feature_from_feedback))
        .routes(routes!(unlink_feedback))
        .routes(routes!(list_releases, create_release))
        .routes(routes!(get_release, update_release, delete_release))
        .routes(routes!(get_release_notes))
        .routes(routes!(get_roadmap))
}

/// Resolves `path`'s object of `kind` and checks `action` on its product.
pub(crate) async fn on(
    state: &AppState,
    p: &Principal,
    kind: ProductObject,
    path: &IdPath,
    action: ProductAction,
) -> Result<(InProduct, Id), ApiError> {
    let id = path.id()?;
    Ok((product_access(state, p.id(), kind, id, action).await?, id))
}

// ---- products ----

/// The workspace's products.
#[utoipa::path(get, path = "/workspaces/{ws}/products", tag = "products", params(("ws" = String, Path), PageQuery),
    responses((status = 200, body = List<Product>), (status = 404, body = ErrorBody)))]
async fn list_products(
    State(state): State<AppState>,
    a: Allowed<WorkspaceRead>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<List<Product>>> {
    Ok(Json(state.store.products(a.ws, q.cursor()?, q.limit()?).await?.into()))
}

/// Creates a product (admins and product managers); its owner must be a
/// product manager or admin.
#[utoipa::path(post, path = "/workspaces/{ws}/products", tag = "products", params(("ws" = String, Path)),
    request_body = CreateProduct,
    responses((status = 201, body = Product), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn create_product(
    State(state): State<AppState>,
    a: Allowed<ProductCreate>,
    ApiJson(req): ApiJson<CreateProduct>,
) -> ApiResult<(StatusCode, Json<Product>)> {
    Ok((StatusCode::CREATED, Json(ops::create_product(&state, a.user_id(), a.ws, req).await?)))
}

#[utoipa::path(get, path = "/products/{id}", tag = "products", params(("id" = String, Path)),
    responses((status = 200, body = Product), (status = 404, body = ErrorBody)))]
async fn get_product(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<Product>> {
    let (_, id) = on(&state, &p, ProductObject::Product, &path, ProductAction::Read).await?;
    Ok(Json(state.store.product(id).await?))
}

/// Updates a product: the name by its owner; vision and strategy, and the
/// default framework, by whoever holds those decisions.
#[utoipa::path(patch, path = "/products/{id}", tag = "products", params(("id" = String, Path)),
    request_body = UpdateProduct,
    responses((status = 200, body = Product), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_product(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateProduct>,
) -> ApiResult<Json<Product>> {
    let (a, _) = on(&state, &p, ProductObject::Product, &path, ProductAction::Edit).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(ops::update_product(&state, &a, version, req).await?))
}

// ---- features ----

/// `GET /products/{id}/features`: filters, sort and page.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeatureQuery {
    /// `rice`, `ice`, `wsjf`, `value_effort`, `demand` or `moscow`; default:
    /// the product's framework. Ties: demand, then age.
    pub sort: Option<String>,
    pub status: Option<FeatureStatus>,
    pub lane: Option<Lane>,
    pub release_id: Option<Id>,
    /// How many items, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The product's backlog, filtered and sorted.
pub(crate) async fn backlog(
    state: &AppState,
    product: &Product,
    q: &FeatureQuery,
) -> Result<(Vec<Feature>, Framework), ApiError> {
    let by = ops::framework(q.sort.as_deref(), product.default_framework)?;
    let mut features = state.store.features(product.id).await?;
    features.retain(|f| {
        q.status.is_none_or(|s| f.status == s)
            && q.lane.is_none_or(|l| f.lane == Some(l))
            && q.release_id.is_none_or(|r| f.release_id == Some(r))
    });
    sort_backlog(&mut features, by);
    Ok((features, by))
}

/// The backlog, sorted by a framework: scored first, higher score first,
/// ties by demand then age; unscored last.
#[utoipa::path(get, path = "/products/{id}/features", tag = "features", params(("id" = String, Path), FeatureQuery),
    responses((status = 200, body = List<Feature>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_features(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiQuery(q): ApiQuery<FeatureQuery>,
) -> ApiResult<Json<List<Feature>>> {
    let (_, id) = on(&state, &p, ProductObject::Product, &path, ProductAction::Read).await?;
    let product = state.store.product(id).await?;
    let page = PageQuery { limit: q.limit, cursor: None };
    let limit = usize::try_from(page.limit()?).unwrap_or(50);
    let offset = match q.cursor.as_deref() {
        None => 0,
        Some(c) => c.parse::<usize>().map_err(|_| ApiError::BadQuery("cursor is not one this server issued".into()))?,
    };
    let (features, _) = backlog(&state, &product, &q).await?;
    let total = features.len();
    let items: Vec<Feature> = features.into_iter().skip(offset).take(limit).collect();
    let next = offset + items.len();
    Ok(Json(List { items, next_cursor: (next < total).then(|| next.to_string()) }))
}

#[utoipa::path(post, path = "/products/{id}/features", tag = "features", params(("id" = String, Path)),
    request_body = CreateFeature,
    responses((status = 201, body = Feature), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_feature(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<CreateFeature>,
) -> ApiResult<(StatusCode, Json<Feature>)> {
    let (a, _) = on(&state, &p, ProductObject::Product, &path, ProductAction::Edit).await?;
    Ok((StatusCode::CREATED, Json(ops::create_feature(&state, &a, req).await?)))
}

/// The backlog as CSV, in the order of `sort`; cells that a spreadsheet
/// would run as formulas are neutralised.
#[utoipa::path(get, path = "/products/{id}/features.csv", tag = "features", params(("id" = String, Path), FeatureQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = ErrorBody)))]
async fn features_csv(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiQuery(q): ApiQuery<FeatureQuery>,
) -> ApiResult<Response> {
    let (_, id) = on(&state, &p, ProductObject::Product, &path, ProductAction::Read).await?;
    let product = state.store.product(id).await?;
    let (features, _) = backlog(&state, &product, &q).await?;
    let releases = state.store.releases(id).await?;
    let custom = custom_columns(&state, product.workspace_id, FieldObject::Feature).await?;
    crate::respond::download(export::features_csv(&product, &features, &releases, &custom)?)
}

#[utoipa::path(get, path = "/features/{id}", tag = "features", params(("id" = String, Path)),
    responses((status = 200, body = Feature), (status = 404, body = ErrorBody)))]
async fn get_feature(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<Feature>> {
    let (_, id) = on(&state, &p, ProductObject::Feature, &path, ProductAction::Read).await?;
    Ok(Json(state.store.feature(id).await?))
}

/// Edits a feature. Text needs the owner's edit right; scores, MoSCoW,
/// Kano, lane and status are priority decisions; the release is a
/// release-scope decision. Moving to `rejected` needs `rejection_reason`.
#[utoipa::path(patch, path = "/features/{id}", tag = "features", params(("id" = String, Path)),
    request_body = UpdateFeature,
    responses((status = 200, body = Feature), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_feature(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateFeature>,
) -> ApiResult<Json<Feature>> {
    let (a, id) = on(&state, &p, ProductObject::Feature, &path, ProductAction::Read).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(ops::update_feature(&state, &a, id, version, req).await?))
}

#[utoipa::path(delete, path = "/features/{id}", tag = "features", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_feature(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<StatusCode> {
    let (a, id) = on(&state, &p, ProductObject::Feature, &path, ProductAction::Edit).await?;
    ops::remove(&state, &a, ProductObject::Feature, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Moves a feature in the manual order (drag and drop in the backlog).
#[utoipa::path(post, path = "/features/{id}/move", tag = "features", params(("id" = String, Path)),
    request_body = MoveFeature,
    responses((status = 200, body = Feature), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn move_feature(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<MoveFeature>,
) -> ApiResult<Json<Feature>> {
    let priority = ProductAction::Decide(tandem_core::decision::DecisionKind::FeaturePriority);
    let (a, id) = on(&state, &p, ProductObject::Feature, &path, priority).await?;
    Ok(Json(ops::move_feature(&state, &a, id, req.after_id).await?))
}

// ---- feedback ----

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedbackQuery {
    pub status: Option<FeedbackStatus>,
    pub source: Option<FeedbackSource>,
    /// Only feedback linked to this feature.
    pub feature_id: Option<Id>,
    /// How many items, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl FeedbackQuery {
    pub(crate) fn filter(&self) -> FeedbackFilter {
        FeedbackFilter { status: self.status, source: self.source, feature_id: self.feature_id }
    }
    pub(crate) fn page(&self) -> PageQuery {
        PageQuery { limit: self.limit, cursor: self.cursor.clone() }
    }
}

/// The feedback inbox, newest first.
#[utoipa::path(get, path = "/products/{id}/feedback", tag = "feedback", params(("id" = String, Path), FeedbackQuery),
    responses((status = 200, body = List<Feedback>), (status = 404, body = ErrorBody)))]
async fn list_feedback(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiQuery(q): ApiQuery<FeedbackQuery>,
) -> ApiResult<Json<List<Feedback>>> {
    let (_, id) = on(&state, &p, ProductObject::Product, &path, ProductAction::Read).await?;
    let page = q.page();
    Ok(Json(state.store.feedback_list(id, &q.filter(), page.cursor()?, page.limit()?).await?.into()))
}

/// Submits feedback; every member may.
#[utoipa::path(post, path = "/products/{id}/feedback", tag = "feedback", params(("id" = String, Path)),
    request_body = CreateFeedback,
    responses((status = 201, body = Feedback), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_feedback(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<CreateFeedback>,
) -> ApiResult<(StatusCode, Json<Feedback>)> {
    let (a, _) = on(&state, &p, ProductObject::Product, &path, ProductAction::SubmitFeedback).await?;
    Ok((StatusCode::CREATED, Json(ops::create_feedback(&state, &a, req).await?)))
}

/// All the product's feedback as CSV, formulas neutralised.
#[utoipa::path(get, path = "/products/{id}/feedback.csv", tag = "feedback", params(("id" = String, Path), FeedbackQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = ErrorBody)))]
async fn feedback_csv(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiQuery(q): ApiQuery<FeedbackQuery>,
) -> ApiResult<Response> {
    let (_, id) = on(&state, &p, ProductObject::Product, &path, ProductAction::Read).await?;
    let product = state.store.product(id).await?;
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let page = state.store.feedback_list(id, &q.filter(), cursor, tandem_store::MAX_PAGE).await?;
        all.extend(page.items);
        match page.next_after {
            Some(c) if all.len() < export::MAX_ROWS => cursor = Some(c),
            _ => break,
        }
    }
    let custom = custom_columns(&state, product.workspace_id, FieldObject::Feedback).await?;
    crate::respond::download(export::feedback_csv(&product, &all, &custom)?)
}

#[utoipa::path(get, path = "/feedback/{id}", tag = "feedback", params(("id" = String, Path)),
    responses((status = 200, body = Feedback), (status = 404, body = ErrorBody)))]
async fn get_feedback(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<Feedback>> {
    let (_, id) = on(&state, &p, ProductObject::Feedback, &path, ProductAction::Read).await?;
    Ok(Json(state.store.feedback(id).await?))
}

/// Triages feedback (the product's owner): its text and customer, and its
/// status (`new`, `triaged`, `archived`).
#[utoipa::path(patch, path = "/feedback/{id}", tag = "feedback", params(("id" = String, Path)),
    request_body = UpdateFeedback,
    responses((status = 200, body = Feedback), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_feedback(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateFeedback>,
) -> ApiResult<Json<Feedback>> {
    let (a, id) = on(&state, &p, ProductObject::Feedback, &path, ProductAction::Edit).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(ops::update_feedback(&state, &a, id, version, req).await?))
}

#[utoipa::path(get, path = "/feedback/{id}/links", tag = "feedback", params(("id" = String, Path)),
    responses((status = 200, body = Vec<FeedbackLink>), (status = 404, body = ErrorBody)))]
async fn list_links(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<Vec<FeedbackLink>>> {
    let (_, id) = on(&state, &p, ProductObject::Feedback, &path, ProductAction::Read).await?;
    Ok(Json(state.store.feedback(id).await?.links))
}

/// Links feedback to a feature of the same product with an importance (or
/// changes the importance); the feedback becomes `linked`.
#[utoipa::path(post, path = "/feedback/{id}/links", tag = "feedback", params(("id" = String, Path)),
    request_body = LinkFeedback,
    responses((status = 200, body = Feedback), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn link_feedback(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<LinkFeedback>,
) -> ApiResult<Json<Feedback>> {
    let (a, id) = on(&state, &p, ProductObject::Feedback, &path, ProductAction::Edit).await?;
    let importance = req.importance.unwrap_or(Importance::IMPORTANT);
    Ok(Json(ops::link_feedback(&state, &a, id, req.feature_id, importance).await?))
}

/// Makes a feature of the feedback and links them, in one step (one
/// transaction): `{title?, importance?}`; the title defaults to the
/// feedback's first line, the description quotes it.
#[utoipa::path(post, path = "/feedback/{id}/feature", tag = "feedback", params(("id" = String, Path)),
    request_body = ops::FeatureFromFeedback,
    responses((status = 201, body = ops::MadeFromFeedback), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn feature_from_feedback(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<ops::FeatureFromFeedback>,
) -> ApiResult<(StatusCode, Json<ops::MadeFromFeedback>)> {
    let (a, id) = on(&state, &p, ProductObject::Feedback, &path, ProductAction::Read).await?;
    Ok((StatusCode::CREATED, Json(ops::feature_from_feedback(&state, &a, id, req).await?)))
}

#[derive(Debug, Deserialize)]
struct LinkPath {
    id: String,
    feature_id: String,
}

#[utoipa::path(delete, path = "/feedback/{id}/links/{feature_id}", tag = "feedback",
    params(("id" = String, Path), ("feature_id" = String, Path)),
    responses((status = 200, body = Feedback), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn unlink_feedback(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<LinkPath>,
) -> ApiResult<Json<Feedback>> {
    let fb: Id = path.id.parse().map_err(|_| ApiError::NotFound)?;
    let feature: Id = path.feature_id.parse().map_err(|_| ApiError::NotFound)?;
    let a = product_access(&state, p.id(), ProductObject::Feedback, fb, ProductAction::Edit).await?;
    Ok(Json(ops::unlink_feedback(&state, &a, fb, feature).await?))
}

// ---- releases and roadmap ----

#[utoipa::path(get, path = "/products/{id}/releases", tag = "releases", params(("id" = String, Path)),
    responses((status = 200, body = List<Release>), (status = 404, body = ErrorBody)))]
async fn list_releases(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<List<Release>>> {
    let (_, id) = on(&state, &p, ProductObject::Product, &path, ProductAction::Read).await?;
    Ok(Json(List { items: forecast::releases(&state, id).await?, next_cursor: None }))
}

/// Creates a release (a release-scope decision).
#[utoipa::path(post, path = "/products/{id}/releases", tag = "releases", params(("id" = String, Path)),
    request_body = CreateRelease,
    responses((status = 201, body = Release), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_release(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiJson(req): ApiJson<CreateRelease>,
) -> ApiResult<(StatusCode, Json<Release>)> {
    let scope = ProductAction::Decide(tandem_core::decision::DecisionKind::ReleaseScope);
    let (a, _) = on(&state, &p, ProductObject::Product, &path, scope).await?;
    Ok((StatusCode::CREATED, Json(ops::create_release(&state, &a, req).await?)))
}

#[utoipa::path(get, path = "/releases/{id}", tag = "releases", params(("id" = String, Path)),
    responses((status = 200, body = Release), (status = 404, body = ErrorBody)))]
async fn get_release(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<Release>> {
    let (_, id) = on(&state, &p, ProductObject::Release, &path, ProductAction::Read).await?;
    Ok(Json(forecast::release(&state, id).await?))
}

/// Edits a release; its target date is a release-scope decision.
#[utoipa::path(patch, path = "/releases/{id}", tag = "releases", params(("id" = String, Path)),
    request_body = UpdateRelease,
    responses((status = 200, body = Release), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_release(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<UpdateRelease>,
) -> ApiResult<Json<Release>> {
    let (a, id) = on(&state, &p, ProductObject::Release, &path, ProductAction::Edit).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(ops::update_release(&state, &a, id, version, req).await?))
}

/// Deletes a release; its features return to no release.
#[utoipa::path(delete, path = "/releases/{id}", tag = "releases", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_release(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<StatusCode> {
    let scope = ProductAction::Decide(tandem_core::decision::DecisionKind::ReleaseScope);
    let (a, id) = on(&state, &p, ProductObject::Release, &path, scope).await?;
    ops::remove(&state, &a, ProductObject::Release, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Release notes generated from the release's shipped features.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ReleaseNotes {
    pub markdown: String,
    pub html: String,
}

#[utoipa::path(get, path = "/releases/{id}/notes", tag = "releases", params(("id" = String, Path)),
    responses((status = 200, body = ReleaseNotes), (status = 404, body = ErrorBody)))]
async fn get_release_notes(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<Json<ReleaseNotes>> {
    let (a, id) = on(&state, &p, ProductObject::Release, &path, ProductAction::Read).await?;
    let release = state.store.release(id).await?;
    let mut features = state.store.features(a.scope.product_id).await?;
    let product = state.store.product(a.scope.product_id).await?;
    sort_backlog(&mut features, product.default_framework);
    let markdown = release_notes(&release, &features);
    Ok(Json(ReleaseNotes { html: tandem_core::markdown::render(&markdown), markdown }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RoadmapQuery {
    /// The framework that orders each lane; default: the product's.
    pub sort: Option<String>,
}

/// The roadmap: now/next/later lanes and a timeline by release, each in
/// backlog order; rejected features stay off it.
#[utoipa::path(get, path = "/products/{id}/roadmap", tag = "roadmap", params(("id" = String, Path), RoadmapQuery),
    responses((status = 200, body = Roadmap), (status = 404, body = ErrorBody)))]
async fn get_roadmap(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    ApiQuery(q): ApiQuery<RoadmapQuery>,
) -> ApiResult<Json<Roadmap>> {
    let (_, id) = on(&state, &p, ProductObject::Product, &path, ProductAction::Read).await?;
    let product = state.store.product(id).await?;
    let by = ops::framework(q.sort.as_deref(), product.default_framework)?;
    Ok(Json(roadmap(state.store.features(id).await?, forecast::releases(&state, id).await?, by)))
}
