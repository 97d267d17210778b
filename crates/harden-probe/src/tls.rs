//! TLS facts about the target: a handshake of our own (reqwest does not say which protocol it
//! negotiated), and a probe for TLS 1.0/1.1 that rustls cannot make.

use std::sync::Arc;
use std::time::Duration;

use harden_engine::{HttpError, TlsFacts};
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use x509_cert::der::Decode as _;

/// The roots a handshake trusts: the system's and those the configuration adds.
pub(crate) fn root_store(extra: &[CertificateDer<'static>]) -> rustls::RootCertStore {
    let mut roots = rustls::RootCertStore::empty();
    for certificate in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(certificate);
    }
    for certificate in extra {
        let _ = roots.add(certificate.clone());
    }
    roots
}

/// Connects to `host:port` and completes a verified handshake.
pub(crate) async fn handshake(
    host: &str,
    port: u16,
    roots: rustls::RootCertStore,
    timeout: Duration,
) -> Result<TlsFacts, HttpError> {
    // ring, as the rest of the workspace: no cmake and C++ toolchain in the build. It lacks the
    // post-quantum key exchange (hence the deprecation); a TLS 1.3 server still negotiates.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| HttpError::Failed(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_owned())
        .map_err(|e| HttpError::Failed(format!("{host}: {e}")))?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let work = async {
        let tcp = tokio::net::TcpStream::connect((host, port))
            .await
            .map_err(|e| HttpError::Failed(format!("connecting to {host}:{port}: {e}")))?;
        Ok::<_, HttpError>(connector.connect(name, tcp).await)
    };
    let stream = match tokio::time::timeout(timeout, work).await {
        Err(_) => return Err(HttpError::Timeout(timeout)),
        Ok(Err(error)) => return Err(error),
        Ok(Ok(Err(error))) => {
            // The handshake itself failed: that is the finding (untrusted, expired, wrong host).
            return Ok(TlsFacts {
                protocol: None,
                cipher: None,
                not_after: None,
                subject: None,
                error: Some(error.to_string()),
            });
        }
        Ok(Ok(Ok(stream))) => stream,
    };
    let (_, connection) = stream.get_ref();
    let leaf = connection
        .peer_certificates()
        .and_then(|chain| chain.first())
        .and_then(|der| x509_cert::Certificate::from_der(der).ok());
    Ok(TlsFacts {
        // `TLSv1_3` as rustls names it, `TLS 1.3` as people do.
        protocol: connection
            .protocol_version()
            .and_then(|v| v.as_str())
            .map(|v| v.replace("TLSv1_", "TLS 1.")),
        cipher: connection
            .negotiated_cipher_suite()
            .and_then(|s| s.suite().as_str())
            .map(str::to_owned),
        not_after: leaf.as_ref().and_then(|c| {
            i64::try_from(
                c.tbs_certificate
                    .validity
                    .not_after
                    .to_unix_duration()
                    .as_secs(),
            )
            .ok()
        }),
        subject: leaf.map(|c| c.tbs_certificate.subject.to_string()),
        error: None,
    })
}

/// A ClientHello offering only TLS 1.`minor` (1 or 2) with suites those versions used; whether
/// the server answers with a ServerHello of that version. Written by hand because no maintained
/// Rust TLS client can still send one (rustls refuses versions before 1.2 by design).
pub(crate) async fn accepts_legacy(
    host: &str,
    port: u16,
    minor: u8,
    timeout: Duration,
) -> Result<bool, HttpError> {
    let hello = client_hello(host, minor);
    let work = async {
        let mut tcp = tokio::net::TcpStream::connect((host, port))
            .await
            .map_err(|e| HttpError::Failed(format!("connecting to {host}:{port}: {e}")))?;
        tcp.write_all(&hello)
            .await
            .map_err(|e| HttpError::Failed(e.to_string()))?;
        // Record header (5) + handshake type (1) + length (3) + server_version (2).
        let mut head = [0u8; 11];
        match tcp.read_exact(&mut head).await {
            // Closed or reset without a ServerHello: refused.
            Err(_) => Ok(false),
            Ok(_) => Ok(head[0] == 0x16 && head[5] == 0x02 && head[9] == 3 && head[10] == minor),
        }
    };
    tokio::time::timeout(timeout, work)
        .await
        .map_err(|_| HttpError::Timeout(timeout))?
}

fn client_hello(host: &str, minor: u8) -> Vec<u8> {
    // ECDHE-RSA/ECDSA with AES-CBC, plain RSA AES-CBC and 3DES: what TLS 1.0/1.1 servers speak.
    const SUITES: &[u16] = &[0xc013, 0xc014, 0xc009, 0xc00a, 0x002f, 0x0035, 0x000a];
    let mut body = vec![3, minor];
    // The random need not be secret or unpredictable: the handshake is never completed.
    body.extend((0..32u8).map(|i| i.wrapping_mul(151).wrapping_add(minor)));
    body.push(0); // no session id
    let suites: Vec<u8> = SUITES.iter().flat_map(|s| s.to_be_bytes()).collect();
    body.extend(u16_len(&suites));
    body.extend(suites);
    body.extend([1, 0]); // null compression only
    let mut extensions = Vec::new();
    if host.parse::<std::net::IpAddr>().is_err() {
        let name = host.as_bytes();
        let mut entry = vec![0u8];
        entry.extend(u16_len(name));
        entry.extend(name);
        let mut list = u16_len(&entry);
        list.extend(entry);
        extensions.extend([0, 0]);
        extensions.extend(u16_len(&list));
        extensions.extend(list);
    }
    // supported_groups: secp256r1, secp384r1; ec_point_formats: uncompressed.
    extensions.extend([0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x00, 0x17, 0x00, 0x18]);
    extensions.extend([0x00, 0x0b, 0x00, 0x02, 0x01, 0x00]);
    body.extend(u16_len(&extensions));
    body.extend(extensions);
    let mut handshake = vec![1u8];
    let length = u32::try_from(body.len()).unwrap_or(0).to_be_bytes();
    handshake.extend(&length[1..]);
    handshake.extend(body);
    let mut record = vec![0x16, 3, 1];
    record.extend(u16_len(&handshake));
    record.extend(handshake);
    record
}

fn u16_len(bytes: &[u8]) -> Vec<u8> {
    u16::try_from(bytes.len())
        .unwrap_or(u16::MAX)
        .to_be_bytes()
        .to_vec()
}
