//! The DNS resolver that keeps the fetcher off internal networks.
//!
//! reqwest asks this resolver for the addresses of every host name it connects to, and connects
//! only to what it returns. Checking here, rather than resolving once before the request, means
//! the address checked is the address connected to: a name that answers with a public address
//! first and a private one later (DNS rebinding) cannot slip through. IP-literal hosts never
//! reach a resolver; `lib.rs` checks those before each request.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::ip::{BlockReason, classify};

/// Returned (boxed) by the resolver when every address of a name is blocked; found again in the
/// error's source chain and turned into [`crate::FetchError::Blocked`].
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves only to blocked addresses ({addr} is a {reason})")]
pub(crate) struct BlockedAddress {
    pub host: String,
    pub addr: IpAddr,
    pub reason: BlockReason,
}

/// Resolves with the system resolver, then drops every blocked address unless the name is in
/// `open_names`.
#[derive(Debug, Clone, Default)]
pub(crate) struct GuardedResolver {
    /// Lower-case host names whose addresses are not checked. Only the client used for
    /// allow-listed host:port pairs has any.
    pub open_names: Arc<HashSet<String>>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let open = self
            .open_names
            .contains(&name.as_str().to_ascii_lowercase());
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let addrs = if open {
                resolved
            } else {
                filter(&host, resolved)?
            };
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Keeps the addresses that may be connected to; errors if none remain.
pub(crate) fn filter(
    host: &str,
    resolved: Vec<SocketAddr>,
) -> Result<Vec<SocketAddr>, BlockedAddress> {
    let mut first_blocked = None;
    let mut kept = Vec::with_capacity(resolved.len());
    for addr in resolved {
        match classify(addr.ip()) {
            None => kept.push(addr),
            Some(reason) => {
                tracing::debug!(host, %addr, %reason, "resolved address blocked");
                first_blocked.get_or_insert((addr.ip(), reason));
            }
        }
    }
    match (kept.is_empty(), first_blocked) {
        (true, Some((addr, reason))) => Err(BlockedAddress {
            host: host.to_owned(),
            addr,
            reason,
        }),
        _ => Ok(kept),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(s: &str) -> SocketAddr {
        SocketAddr::new(s.parse().unwrap(), 0)
    }

    #[test]
    fn a_name_with_only_private_addresses_is_refused() {
        let err = filter("rebind.example", vec![sa("10.0.0.1"), sa("::1")]).unwrap_err();
        assert_eq!(err.addr, "10.0.0.1".parse::<IpAddr>().unwrap());
        assert_eq!(err.reason, BlockReason::Private);
    }

    #[test]
    fn blocked_addresses_are_dropped_and_public_ones_kept() {
        let kept = filter(
            "mixed.example",
            vec![sa("127.0.0.1"), sa("93.184.215.14"), sa("fe80::1")],
        )
        .unwrap();
        assert_eq!(kept, vec![sa("93.184.215.14")]);
    }

    #[test]
    fn no_addresses_is_not_a_block() {
        assert!(filter("empty.example", vec![]).unwrap().is_empty());
    }
}
