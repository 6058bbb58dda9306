//! TLS for the court's outgoing HTTPS (webhooks, the object store).

/// Makes rustls use ring (as lettre does) for every HTTPS client in the process: reqwest is
/// built without a provider of its own. Harmless when one is installed already.
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
