//! The client's address (behind trusted proxies, the one they forward
//! for) and the rate limits on writes and sign-in attempts.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
pub use tandem_app::limits::Scope;
use tandem_app::limits::{self, Caller};

use crate::auth::{Principal, Via};
use crate::error::ApiError;
use crate::state::AppState;

/// The address a request came from, as rate limits and sign-in
/// throttling count it.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

impl ClientIp {
    /// The label of a request's address, `unknown` when none was named.
    pub fn label_of(ip: Option<&ClientIp>) -> String {
        ip.copied().unwrap_or(ClientIp(None)).label()
    }

    /// The address as limits count it: an IPv6 client by its /64, the
    /// block one subscriber holds, so a single client cannot take a
    /// bucket per address.
    pub fn label(&self) -> String {
        match self.0 {
            None => "unknown".to_owned(),
            Some(IpAddr::V6(v6)) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
            Some(v4) => v4.to_string(),
        }
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
        match hop_address(hop) {
            Some(ip) if is_trusted(&ip) => nearest = ip,
            Some(ip) => return Some(ip),
            // A hop that is not an address: trust ends here.
            None => break,
        }
    }
    // Only proxies: every client would share the proxy's count.
    if !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        tracing::warn!("a trusted proxy sent no client address in X-Forwarded-For; its requests are counted together");
    }
    Some(nearest)
}

static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// One `X-Forwarded-For` entry: an address, with or without a port
/// (`203.0.113.9`, `203.0.113.9:5678`, `2001:db8::1`, `[2001:db8::1]:443`).
fn hop_address(hop: &str) -> Option<IpAddr> {
    let ip = hop
        .parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| hop.strip_prefix('[').and_then(|h| h.strip_suffix(']')).and_then(|h| h.parse().ok()))?;
    Some(canonical(ip))
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
/// address. Reads are not counted (`None`).
pub fn counted(req: &Request) -> Option<(Scope, Who)> {
    let method = req.method();
    let path = req.uri().path();
    let scope = if *method == Method::POST && signs_in(path) {
        Scope::SignIn
    } else if *method == Method::POST && path.starts_with("/api/v1/ingest/") {
        Scope::Ingest
    } else if matches!(*method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE) {
        Scope::Write
    } else {
        return None;
    };
    let addr = || ClientIp::label_of(req.extensions().get::<ClientIp>());
    let who = match (scope, req.extensions().get::<Principal>()) {
        (Scope::Write, Some(Principal { via: Via::Token { hash }, .. })) => Who::Token(hash.clone()),
        (Scope::Write, Some(p)) => Who::User(p.user.id),
        _ => Who::Address(addr()),
    };
    Some((scope, who))
}

/// Who a request is counted for, owned: the count is awaited apart from
/// the request.
#[derive(Debug)]
pub enum Who {
    Token(String),
    User(tandem_core::Id),
    Address(String),
}

/// Counts one request; the refusal when past the limit.
pub async fn refusal(state: &AppState, scope: Scope, who: &Who) -> Option<ApiError> {
    let caller = match who {
        Who::Token(hash) => Caller::Token(hash),
        Who::User(id) => Caller::User(*id),
        Who::Address(a) => Caller::Address(a),
    };
    limits::check(state, scope, caller).await.err().map(ApiError::from)
}

/// Whether a refusal at `path` goes to a program (JSON) rather than to a
/// page's form.
pub fn answers_json(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/calendar/")
}

/// Where a password is tried: signing in, asking for and using a reset,
/// and changing one's password (which checks the current one).
fn signs_in(path: &str) -> bool {
    matches!(
        path,
        "/api/v1/auth/login" | "/login" | "/api/v1/auth/password-reset" | "/forgot-password" | "/api/v1/me/password"
    ) || path.starts_with("/api/v1/auth/password-reset/")
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
        // Hops with ports, as some proxies write them.
        h.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9:5678"));
        assert_eq!(resolve(Some(ip("127.0.0.1")), &h, &trusted), Some(ip("203.0.113.9")));
        h.insert("x-forwarded-for", HeaderValue::from_static("[2001:db8::7]:443"));
        assert_eq!(resolve(Some(ip("127.0.0.1")), &h, &trusted), Some(ip("2001:db8::7")));
        // IPv6 clients count by their /64.
        let a = ClientIp(Some(ip("2001:db8:1:2:aaaa::1"))).label();
        assert_eq!(a, ClientIp(Some(ip("2001:db8:1:2:ffff::9"))).label());
        assert_eq!(a, "2001:db8:1:2::/64");
        assert_ne!(a, ClientIp(Some(ip("2001:db8:1:3::1"))).label());
        assert!(parse_proxies("10.0.0.0/33").is_err());
        assert_eq!(parse_proxies("").unwrap_or_default(), vec![]);
    }
}
