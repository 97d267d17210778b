//! TLS for the PostgreSQL ledger (rustls), with libpq's `sslmode` and `sslrootcert`.
//!
//! tokio-postgres parses only `disable`, `prefer` and `require`, and verifies nothing itself;
//! libpq users write `verify-ca` and `verify-full` too. So both parameters are taken out of the
//! URL here and turned into a rustls configuration:
//!
//! | sslmode | TLS | certificate checked |
//! |---|---|---|
//! | `disable` | never | — |
//! | `prefer` (default for loopback hosts and sockets) | if the server offers it | no |
//! | `require` (default for every other host) | always | against `sslrootcert` if given (as libpq does), else no |
//! | `verify-ca` | always | chain against `sslrootcert` |
//! | `verify-full` | always | chain and host name against `sslrootcert` |
//!
//! `sslrootcert` is a PEM file or `system` (the operating system's roots).

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres_rustls::MakeRustlsConnect;

/// How the server's certificate is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verify {
    /// Encrypted, but anyone's certificate is accepted (libpq `prefer`/`require`).
    Nothing,
    /// The chain must lead to a trusted root; the name is not checked.
    Chain,
    /// Chain and host name.
    Full,
}

/// The connection settings of `url` and the TLS connector its `sslmode` asks for (`None`:
/// plain TCP or a Unix socket), for the blocking client.
pub(crate) fn client_config(
    url: &str,
) -> Result<(postgres::Config, Option<MakeRustlsConnect>), String> {
    let (config, tls) = async_client_config(url)?;
    Ok((config.into(), tls))
}

/// The connection settings of `url` and the TLS connector its `sslmode` asks for (`None`:
/// plain TCP or a Unix socket), for tokio-postgres: the team server connects with the same
/// `sslmode` and `sslrootcert` rules as the CLI's PostgreSQL ledger.
pub fn async_client_config(
    url: &str,
) -> Result<(tokio_postgres::Config, Option<MakeRustlsConnect>), String> {
    let (rest, params) = take_params(url, &["sslmode", "sslrootcert"]);
    let mut config: tokio_postgres::Config = rest
        .parse()
        .map_err(|e| format!("not a PostgreSQL URL: {e}"))?;
    let mode = match params[0].as_deref() {
        Some(mode) => mode.to_owned(),
        None if all_local(&config) => "prefer".to_owned(),
        None => "require".to_owned(),
    };
    let root = params[1].as_deref();
    let (ssl_mode, verify) = match mode.as_str() {
        "disable" => (SslMode::Disable, None),
        "allow" | "prefer" => (SslMode::Prefer, Some(Verify::Nothing)),
        "require" if root.is_some() => (SslMode::Require, Some(Verify::Chain)),
        "require" => (SslMode::Require, Some(Verify::Nothing)),
        "verify-ca" => (SslMode::Require, Some(Verify::Chain)),
        "verify-full" => (SslMode::Require, Some(Verify::Full)),
        other => {
            return Err(format!(
                "sslmode `{other}`: expected disable, prefer, require, verify-ca or verify-full"
            ));
        }
    };
    config.ssl_mode(ssl_mode);
    let Some(verify) = verify else {
        return Ok((config, None));
    };
    let roots = match (verify, root) {
        (Verify::Nothing, _) => RootCertStore::empty(),
        (_, Some(root)) => load_roots(root)?,
        (_, None) => {
            return Err(format!(
                "sslmode={mode} needs sslrootcert: a PEM file of the CA, or `system`"
            ));
        }
    };
    Ok((config, Some(connector(verify, roots)?)))
}

/// Whether every host of `config` is a Unix socket or a loopback address, where TLS protects
/// nothing and is rarely set up.
fn all_local(config: &tokio_postgres::Config) -> bool {
    config.get_hosts().iter().all(|host| match host {
        Host::Unix(_) => true,
        Host::Tcp(name) => {
            let name = name.trim_start_matches('[').trim_end_matches(']');
            name.eq_ignore_ascii_case("localhost")
                || name
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
    })
}

/// Removes the query parameters `names` from `url`, returning the rest and their values.
fn take_params(url: &str, names: &[&str]) -> (String, Vec<Option<String>>) {
    let mut values = vec![None; names.len()];
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), values);
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match names.iter().position(|n| *n == key) {
                Some(i) => {
                    values[i] = Some(percent_decode(value));
                    false
                }
                None => true,
            }
        })
        .collect();
    let rest = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (rest, values)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn load_roots(root: &str) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    if root == "system" {
        let found = rustls_native_certs::load_native_certs();
        store.add_parsable_certificates(found.certs);
    } else {
        let certificates: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(root)
            .map_err(|e| format!("sslrootcert {root}: {e}"))?
            .collect::<Result<_, _>>()
            .map_err(|e| format!("sslrootcert {root}: {e}"))?;
        store.add_parsable_certificates(certificates);
    }
    if store.is_empty() {
        return Err(format!("sslrootcert {root}: no usable certificate"));
    }
    Ok(store)
}

fn connector(verify: Verify, roots: RootCertStore) -> Result<MakeRustlsConnect, String> {
    // ring rather than aws-lc-rs: no cmake and C++ toolchain in the build. ring lacks the
    // post-quantum key exchange (hence the deprecation), which PostgreSQL servers do not offer.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?;
    let config = match verify {
        Verify::Full => builder.with_root_certificates(roots).with_no_client_auth(),
        Verify::Chain | Verify::Nothing => {
            let webpki = if verify == Verify::Chain {
                Some(
                    rustls::client::WebPkiServerVerifier::builder_with_provider(
                        Arc::new(roots),
                        provider.clone(),
                    )
                    .build()
                    .map_err(|e| format!("TLS: {e}"))?,
                )
            } else {
                None
            };
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(Lenient {
                    webpki,
                    algorithms: provider.signature_verification_algorithms,
                }))
                .with_no_client_auth()
        }
    };
    Ok(MakeRustlsConnect::new(config))
}

/// libpq's weaker modes: the chain checked without the name (`verify-ca`), or nothing
/// checked (`prefer`, `require`). Handshake signatures are always verified.
#[derive(Debug)]
struct Lenient {
    webpki: Option<Arc<rustls::client::WebPkiServerVerifier>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Lenient {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(webpki) = &self.webpki else {
            return Ok(ServerCertVerified::assertion());
        };
        match webpki.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_defaults_to_require_away_from_loopback() {
        let (config, tls) = client_config("postgres://u@db.internal:5432/x").unwrap();
        assert_eq!(config.get_ssl_mode(), SslMode::Require);
        assert!(tls.is_some());
        for local in [
            "postgres://u@localhost/x",
            "postgres://u@127.0.0.1:5433/x",
            "postgres://u@[::1]/x",
            "postgres://u@%2Fvar%2Frun%2Fpostgresql/x",
        ] {
            let (config, _) = client_config(local).unwrap();
            assert_eq!(config.get_ssl_mode(), SslMode::Prefer, "{local}");
        }
        let (config, tls) = client_config("postgres://u@db.internal/x?sslmode=disable").unwrap();
        assert_eq!(config.get_ssl_mode(), SslMode::Disable);
        assert!(tls.is_none());
    }

    #[test]
    fn verifying_modes_need_a_root_and_unknown_modes_are_refused() {
        let error = client_config("postgres://u@db/x?sslmode=verify-full")
            .err()
            .unwrap();
        assert!(error.contains("needs sslrootcert"), "{error}");
        let error = client_config("postgres://u@db/x?sslmode=sometimes")
            .err()
            .unwrap();
        assert!(error.contains("expected disable"), "{error}");
        let error =
            client_config("postgres://u@db/x?sslmode=verify-ca&sslrootcert=/nonexistent.pem")
                .err()
                .unwrap();
        assert!(error.contains("/nonexistent.pem"), "{error}");
        let (rest, values) = take_params(
            "postgres://u@h/x?application_name=a&sslmode=require&sslrootcert=%2Ftmp%2Fca.pem",
            &["sslmode", "sslrootcert"],
        );
        assert_eq!(rest, "postgres://u@h/x?application_name=a");
        assert_eq!(values, [Some("require".into()), Some("/tmp/ca.pem".into())]);
    }
}
