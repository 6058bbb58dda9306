use tracing_subscriber::{fmt, EnvFilter};

/// Installs the global tracing subscriber; `json` suits log collectors, `pretty` suits people.
pub fn init(format: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if format == "json" { builder.json().try_init() } else { builder.try_init() };
}
