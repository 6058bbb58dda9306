//! Second accounts: who signed in on the same device, or from the same address, as a party. Such
//! an account is kept off that party's jury and shown to the moderators. An address used by more
//! accounts than a household has is a carrier's NAT or a campus: no signal. A device always is one
//! (a café computer keeps no cookie between people; a party signing many accounts into one
//! browser must not dilute the signal away).

use std::collections::{HashMap, HashSet};

/// How long a shared device or address counts.
pub const LOOKBACK_DAYS: i64 = 90;
/// More accounts than this on one address: a crowd, not one household.
pub const CROWD: usize = 8;

/// One sign-in: the account, its device (hashed cookie) and address (hashed; none for loopback).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    pub user_id: i32,
    pub device: String,
    pub address: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Link {
    SameDevice,
    SameAddress,
}

impl Link {
    /// The i18n key moderators read.
    pub fn key(self) -> &'static str {
        match self {
            Link::SameDevice => "moderation.linked.device",
            Link::SameAddress => "moderation.linked.address",
        }
    }
}

/// The accounts (other than the parties) linked to a party, each with its strongest link.
pub fn linked_accounts(parties: &[i32], traces: &[Trace]) -> Vec<(i32, Link)> {
    let mut found: HashMap<i32, Link> = HashMap::new();
    let by = |key: fn(&Trace) -> Option<&str>| {
        let mut users: HashMap<&str, HashSet<i32>> = HashMap::new();
        for t in traces {
            if let Some(k) = key(t) {
                users.entry(k).or_default().insert(t.user_id);
            }
        }
        users
    };
    let groups = [
        (Link::SameDevice, by(|t| Some(&t.device)), usize::MAX),
        (Link::SameAddress, by(|t| t.address.as_deref()), CROWD),
    ];
    for (link, groups, crowd) in groups {
        for users in groups.values().filter(|u| u.len() <= crowd && u.iter().any(|id| parties.contains(id))) {
            for id in users.iter().filter(|id| !parties.contains(id)) {
                let strongest = found.entry(*id).or_insert(link);
                *strongest = (*strongest).min(link);
            }
        }
    }
    let mut linked: Vec<(i32, Link)> = found.into_iter().collect();
    linked.sort_unstable();
    linked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace(user_id: i32, device: &str, address: Option<&str>) -> Trace {
        Trace { user_id, device: device.into(), address: address.map(Into::into) }
    }

    #[test]
    fn a_second_account_on_the_partys_device_or_address_is_linked() {
        let traces = [
            trace(1, "phone", Some("home")),
            trace(2, "phone", None),          // the party's phone, another account
            trace(3, "laptop", Some("home")), // the party's home address
            trace(4, "other", Some("elsewhere")),
        ];
        assert_eq!(linked_accounts(&[1], &traces), vec![(2, Link::SameDevice), (3, Link::SameAddress)]);
    }

    #[test]
    fn a_device_link_outranks_an_address_link() {
        let traces = [trace(1, "phone", Some("home")), trace(2, "phone", Some("home"))];
        assert_eq!(linked_accounts(&[1], &traces), vec![(2, Link::SameDevice)]);
    }

    #[test]
    fn a_crowded_address_is_no_signal_but_a_crowded_device_is() {
        let traces: Vec<Trace> = (1..=CROWD as i32 + 1).map(|id| trace(id, &format!("d{id}"), Some("cgnat"))).collect();
        assert_eq!(linked_accounts(&[1], &traces), vec![]);
        let socks: Vec<Trace> = (1..=CROWD as i32 + 1).map(|id| trace(id, "one-browser", None)).collect();
        assert_eq!(linked_accounts(&[1], &socks).len(), CROWD, "every other account on the party's browser");
    }

    #[test]
    fn the_parties_themselves_are_not_listed() {
        let traces = [trace(1, "phone", None), trace(2, "phone", None)];
        assert_eq!(linked_accounts(&[1, 2], &traces), vec![]);
    }
}
