//! The client's address (behind trusted proxies, the one they forward
//! for) and the rate limits on writes and sign-in attempts.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ipnet::IpNet;
use tandem_app::limits::{self, Caller, Scope};

use crate::auth::{Principal, Via};
use crate::error::ApiError;
use crate::state::AppState;

/// The address a request came from, as rate limits and sign-in
/// throttling count it.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

impl ClientIp {
    pub fn label(&self) -> String {
        self.0.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
    }
}

/// Names the client's address on the request.
pub async fn client_ip(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let ip = resolve(peer, req.headers(), &state.config.trusted_proxies);
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

/// The peer's address, unless it is a trusted proxy: then the nearest
/// address in `X-Forwarded-For` that is not one (each proxy appends the
/// address it heard from, so the list is read from the right, and what a
/// client wrote itself at the left is never believed).
pub fn resolve(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = peer.map(canonical)?;
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut nearest = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if is_trusted(&canonical(ip)) => nearest = canonical(ip),
            Ok(ip) => return Some(canonical(ip)),
            // A hop that is not an address: trust ends here.
            Err(_) => return Some(nearest),
        }
    }
    Some(nearest)
}

/// IPv4 addresses as IPv4, also when a dual-stack socket reports them
/// mapped into IPv6.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Parses `10.0.0.0/8, 127.0.0.1, ::1` (an address alone is itself).
pub fn parse_proxies(list: &str) -> Result<Vec<IpNet>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("`{s}` is not an address or a network (10.0.0.0/8)"))
        })
        .collect()
}

/// Sign-in attempts and analytics batches are counted by client address;
/// other writes by the API token, the signed-in person or, for no one, the
/// address. Reads are not counted.
pub async fn rate_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method();
    let path = req.uri().path();
    let scope = if *method == Method::POST && signs_in(path) {
        Scope::SignIn
    } else if *method == Method::POST && path.starts_with("/api/v1/ingest/") {
        Scope::Ingest
    } else if matches!(*method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE) {
        Scope::Write
    } else {
        return next.run(req).await;
    };
    let addr = req.extensions().get::<ClientIp>().map_or_else(|| "unknown".to_owned(), ClientIp::label);
    let principal = req.extensions().get::<Principal>();
    let caller = match (scope, principal) {
        (Scope::Write, Some(Principal { via: Via::Token { hash }, .. })) => Caller::Token(hash),
        (Scope::Write, Some(p)) => Caller::User(p.user.id),
        _ => Caller::Address(&addr),
    };
    if let Err(e) = limits::check(&state, scope, caller).await {
        return ApiError::from(e).into_response();
    }
    next.run(req).await
}

fn signs_in(path: &str) -> bool {
    matches!(path, "/api/v1/auth/login" | "/login" | "/api/v1/auth/password-reset" | "/forgot-password")
        || path.starts_with("/api/v1/auth/password-reset/")
        || path.starts_with("/reset-password/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    #[test]
    fn forwarded_addresses_count_only_behind_trusted_proxies() {
        let trusted = parse_proxies("127.0.0.1, 10.0.0.0/8").unwrap_or_default();
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("6.6.6.6, 203.0.113.9, 10.1.2.3"));
        // From a stranger the header is ignored.
        assert_eq!(resolve(Some(ip("198.51.100.1")), &h, &trusted), Some(ip("198.51.100.1")));
        // From the proxy: the nearest untrusted hop, not what the client claimed.
        assert_eq!(resolve(Some(ip("127.0.0.1")), &h, &trusted), Some(ip("203.0.113.9")));
        assert_eq!(resolve(Some(ip("::ffff:127.0.0.1")), &h, &trusted), Some(ip("203.0.113.9")));
        h.insert("x-forwarded-for", HeaderValue::from_static("nonsense, 10.9.9.9"));
        assert_eq!(resolve(Some(ip("127.0.0.1")), &h, &trusted), Some(ip("10.9.9.9")));
        assert!(parse_proxies("10.0.0.0/33").is_err());
        assert_eq!(parse_proxies("").unwrap_or_default(), vec![]);
    }
}
