//! Requests Tandem makes to other servers on its users' behalf (webhook
//! deliveries). The address a user typed may point inside the network
//! Tandem runs in, so every request goes through one guarded client: the
//! host's addresses are checked after DNS resolution and the connection is
//! made to the checked addresses only (a name cannot resolve to a public
//! address for the check and a private one for the connection), literal
//! addresses are checked before sending, proxies from the environment are
//! ignored, redirects are never followed, and times and answers are
//! bounded.

pub mod letter;
pub mod mail;
pub mod webhooks;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::redirect::Policy;
use tandem_core::webhook::address_allowed;

/// The most of an answer read.
const MAX_ANSWER_BYTES: usize = 16 * 1024;

/// What a request came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The server answered (any status; a redirect is an answer, not
    /// followed). The body is its first bytes, as text.
    Answered { status: u16, body: String },
    /// Not sent: where it points is not allowed.
    Refused(String),
    /// Sent, or tried, without an answer: connection, TLS or time.
    Failed(String),
}

/// The one client for outbound requests.
#[derive(Debug, Clone)]
pub struct Outbound {
    client: reqwest::Client,
    allow_private: bool,
}

#[derive(Debug)]
struct CheckedResolver {
    allow_private: bool,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if addrs.is_empty() {
                return Err(format!("{host} has no address").into());
            }
            // Every address must pass: the connection may try any of them.
            if let Some(bad) = addrs.iter().find(|a| !address_allowed(a.ip(), allow_private)) {
                return Err(Box::new(RefusedAddress(format!("{host} resolves to {}, which is not allowed", bad.ip())))
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// A resolved address the guard refused, told apart from other failures.
#[derive(Debug)]
struct RefusedAddress(String);

impl std::fmt::Display for RefusedAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RefusedAddress {}

impl Outbound {
    /// A client that allows private addresses only when `allow_private`,
    /// and gives a request `timeout` in all.
    pub fn new(allow_private: bool, timeout: Duration) -> Result<Outbound, String> {
        tls();
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(CheckedResolver { allow_private }))
            .no_proxy()
            .redirect(Policy::none())
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .timeout(timeout)
            .user_agent(concat!("Tandem-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot make the outbound client: {e}"))?;
        Ok(Outbound { client, allow_private })
    }

    /// Posts `body` as JSON to `url` with `headers`.
    pub async fn post_json(&self, url: &str, headers: &[(&'static str, String)], body: String) -> Outcome {
        let parsed = match reqwest::Url::parse(url) {
            Ok(u) => u,
            Err(e) => return Outcome::Refused(format!("not an address: {e}")),
        };
        if !matches!(parsed.scheme(), "http" | "https") {
            return Outcome::Refused("only http and https addresses are called".to_owned());
        }
        let literal = match parsed.host() {
            Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
            Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
            Some(url::Host::Domain(_)) => None,
            None => return Outcome::Refused("the address names no host".to_owned()),
        };
        if let Some(ip) = literal
            && !address_allowed(ip, self.allow_private)
        {
            return Outcome::Refused(format!("{ip} is not allowed"));
        }
        let mut req = self.client.post(parsed).header("content-type", "application/json").body(body);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let mut res = match req.send().await {
            Ok(r) => r,
            Err(e) => return failure(&e),
        };
        let status = res.status().as_u16();
        let mut bytes = Vec::new();
        loop {
            match res.chunk().await {
                Ok(Some(c)) => {
                    let room = MAX_ANSWER_BYTES.saturating_sub(bytes.len());
                    bytes.extend_from_slice(&c[..c.len().min(room)]);
                    if bytes.len() >= MAX_ANSWER_BYTES {
                        break;
                    }
                }
                Ok(None) => break,
                // A body cut short still tells the status.
                Err(_) => break,
            }
        }
        Outcome::Answered { status, body: String::from_utf8_lossy(&bytes).into_owned() }
    }
}

/// Whether `url` may be called now: a literal address is judged as is, a
/// name by what it resolves to (a name that does not resolve yet passes;
/// each delivery checks again). The reason when not.
pub async fn check_address(url: &str, allow_private: bool) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("not an address: {e}"))?;
    let port = parsed.port_or_known_default().unwrap_or(443);
    let refuse = |ip: IpAddr| {
        format!(
            "{ip} is a loopback, private, link-local or reserved address; webhooks call public addresses only \
             (the server's admin can allow private ranges)"
        )
    };
    match parsed.host() {
        Some(url::Host::Ipv4(v4)) if !address_allowed(IpAddr::V4(v4), allow_private) => Err(refuse(IpAddr::V4(v4))),
        Some(url::Host::Ipv6(v6)) if !address_allowed(IpAddr::V6(v6), allow_private) => Err(refuse(IpAddr::V6(v6))),
        // Names RFC 6761 keeps for this machine, whatever DNS says.
        Some(url::Host::Domain(name))
            if !allow_private && {
                let n = name.trim_end_matches('.').to_ascii_lowercase();
                n == "localhost" || n.ends_with(".localhost")
            } =>
        {
            Err(format!(
                "{name} is this machine (loopback); webhooks call public addresses only (the server's admin can \
                 allow private ranges)"
            ))
        }
        Some(url::Host::Domain(name)) => {
            let lookup = tokio::time::timeout(Duration::from_secs(3), tokio::net::lookup_host((name, port))).await;
            if let Ok(Ok(addrs)) = lookup {
                for a in addrs {
                    if !address_allowed(a.ip(), allow_private) {
                        return Err(format!("{name} resolves to {}", refuse(a.ip())));
                    }
                }
            }
            Ok(())
        }
        Some(_) => Ok(()),
        None => Err("the address names no host".to_owned()),
    }
}

/// Installs the process's TLS crypto provider, which every HTTP client
/// (reqwest without a provider of its own) needs before it is built; a
/// second call does nothing. ring rather than aws-lc: it builds in a
/// fraction of the time on small machines, and post-quantum key exchange
/// (why rustls now points elsewhere) is not what guards these requests.
pub fn tls() {
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Names why a request got no answer, telling a refused address apart.
fn failure(e: &reqwest::Error) -> Outcome {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(r) = s.downcast_ref::<RefusedAddress>() {
            return Outcome::Refused(r.0.clone());
        }
        source = s.source();
    }
    if e.is_timeout() {
        Outcome::Failed("no answer in time".to_owned())
    } else if e.is_connect() {
        Outcome::Failed(format!("cannot connect: {}", chain(e)))
    } else {
        Outcome::Failed(chain(e))
    }
}

/// An error with its causes, one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}
