//! Account values that parse, not validate: once you hold one, it is valid.

use std::fmt;

/// A normalised (trimmed, lower-cased) email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, &'static str> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err("error.email_required");
        }
        if email.len() > 254 || !is_deliverable(&email) {
            return Err("error.email_invalid");
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One `@`, a domain with a dot and no empty labels; lettre checks the rest of RFC 5321.
fn is_deliverable(email: &str) -> bool {
    let Some((user, domain)) = email.split_once('@') else {
        return false;
    };
    !domain.contains('@')
        && domain.split('.').count() > 1
        && domain.split('.').all(|label| !label.is_empty())
        && lettre::Address::new(user, domain).is_ok()
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name other people see: 2 to 40 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<DisplayName, &'static str> {
        let name = raw.trim();
        let chars = name.chars().count();
        if chars == 0 {
            return Err("error.name_required");
        }
        if !(2..=40).contains(&chars) {
            return Err("error.name_length");
        }
        if name.chars().any(char::is_control) {
            return Err("error.name_invalid");
        }
        Ok(DisplayName(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Refuses short, very long and easily guessed passwords (zxcvbn score below 2, which catches
/// common passwords, keyboard walks, dates and the user's own email or name).
pub fn check_password(password: &str, user_inputs: &[&str]) -> Result<(), &'static str> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err("error.password_short");
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err("error.password_long");
    }
    if zxcvbn::zxcvbn(password, user_inputs).score() < zxcvbn::Score::Two {
        return Err("error.password_common");
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Member,
    Moderator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Role {
        match s {
            "admin" => Role::Admin,
            "moderator" => Role::Moderator,
            _ => Role::Member,
        }
    }

    pub fn can_moderate(self) -> bool {
        self >= Role::Moderator
    }
}

pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

/// An IANA time zone name the court knows.
pub fn parse_time_zone(raw: &str) -> Result<chrono_tz::Tz, &'static str> {
    raw.trim().parse::<chrono_tz::Tz>().map_err(|_| "error.time_zone_invalid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse("  Li.Lei@Example.COM ").unwrap().as_str(), "li.lei@example.com");
        for bad in ["", "no-at", "a@b", "a@@b.com", "a b@c.com", "a@.com", "<script>@x.com"] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
        assert_eq!(Email::parse("").unwrap_err(), "error.email_required");
    }

    #[test]
    fn display_names_have_bounds() {
        assert!(DisplayName::parse("李雷").is_ok());
        assert_eq!(DisplayName::parse(" ").unwrap_err(), "error.name_required");
        assert_eq!(DisplayName::parse("x").unwrap_err(), "error.name_length");
        assert_eq!(DisplayName::parse(&"名".repeat(41)).unwrap_err(), "error.name_length");
        assert_eq!(DisplayName::parse("a\u{0007}b").unwrap_err(), "error.name_invalid");
    }

    #[test]
    fn weak_passwords_are_refused() {
        assert_eq!(check_password("short", &[]), Err("error.password_short"));
        assert_eq!(check_password("password123", &[]), Err("error.password_common"));
        assert_eq!(check_password("qwertyuiop", &[]), Err("error.password_common"));
        assert_eq!(check_password("lilei2024", &["lilei"]), Err("error.password_common"));
        assert_eq!(check_password(&"x".repeat(129), &[]), Err("error.password_long"));
        assert!(check_password("correct horse battery staple", &[]).is_ok());
        assert!(check_password("闲鱼卖家不发货2024!", &[]).is_ok());
    }

    #[test]
    fn roles_order_by_power() {
        assert!(Role::Admin.can_moderate());
        assert!(Role::Moderator.can_moderate());
        assert!(!Role::Member.can_moderate());
        assert_eq!(Role::parse("whatever"), Role::Member);
    }

    #[test]
    fn time_zones_parse() {
        assert!(parse_time_zone("Asia/Shanghai").is_ok());
        assert!(parse_time_zone("Mars/Olympus").is_err());
    }
}
