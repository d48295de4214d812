use crate::state::AppState;
use axum::Router;
pub fn router() -> Router<AppState> {
    Router::new()
}

pub async fn not_found(_uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    crate::error::ApiError::NotFound.into_response()
}
