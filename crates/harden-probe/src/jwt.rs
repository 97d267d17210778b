//! Forged variants of an identity's JWT (RFC 7519): what a service that checks its tokens must
//! refuse. The token never leaves the prober; gates only ask for a forgery by kind.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use harden_engine::Forgery;

/// A compact JWS split into its decoded header and claims.
struct Parts {
    header: Map<String, Value>,
    claims: Map<String, Value>,
    signature: Vec<u8>,
}

fn decode_object(segment: &str) -> Option<Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD.decode(segment).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

fn parse(token: &str) -> Option<Parts> {
    let mut segments = token.split('.');
    let (header, claims, signature) = (segments.next()?, segments.next()?, segments.next()?);
    if segments.next().is_some() {
        return None;
    }
    let header = decode_object(header)?;
    header.get("alg")?.as_str()?;
    Some(Parts {
        header,
        claims: decode_object(claims)?,
        signature: URL_SAFE_NO_PAD.decode(signature).ok()?,
    })
}

/// Whether `token` is a signed JWT in compact form.
pub(crate) fn is_jwt(token: &str) -> bool {
    parse(token).is_some()
}

fn encode(value: &Map<String, Value>) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap_or_default())
}

/// HMAC of `input` with the algorithm the header names, if it is one of HS256/384/512.
fn hmac(alg: &str, key: &[u8], input: &[u8]) -> Option<Vec<u8>> {
    fn mac<M: hmac::Mac + hmac::digest::KeyInit>(key: &[u8], input: &[u8]) -> Option<Vec<u8>> {
        let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(key).ok()?;
        mac.update(input);
        Some(mac.finalize().into_bytes().to_vec())
    }
    match alg {
        "HS256" => mac::<hmac::Hmac<sha2::Sha256>>(key, input),
        "HS384" => mac::<hmac::Hmac<sha2::Sha384>>(key, input),
        "HS512" => mac::<hmac::Hmac<sha2::Sha512>>(key, input),
        _ => None,
    }
}

/// Whether `forgery` of `token` can be signed properly with `key` (an HMAC-signed token).
pub(crate) fn can_sign(token: &str, key: Option<&[u8]>) -> bool {
    parse(token).is_some_and(|parts| {
        key.is_some()
            && parts
                .header
                .get("alg")
                .and_then(Value::as_str)
                .is_some_and(|alg| alg.starts_with("HS"))
    })
}

/// `token` altered as `forgery` says, at time `now` (seconds since the epoch).
pub(crate) fn forge(token: &str, forgery: Forgery, key: Option<&[u8]>, now: i64) -> Option<String> {
    let mut parts = parse(token)?;
    let alg = parts.header.get("alg")?.as_str()?.to_owned();
    match forgery {
        Forgery::AlgNone => {
            parts.header.insert("alg".into(), Value::from("none"));
            Some(format!(
                "{}.{}.",
                encode(&parts.header),
                encode(&parts.claims)
            ))
        }
        Forgery::AlteredSignature => {
            let mut signature = parts.signature;
            if signature.is_empty() {
                signature.push(0);
            }
            // Every byte changed: no verifier can mistake it for the issued one.
            for byte in &mut signature {
                *byte ^= 0x5a;
            }
            let mut segments = token.splitn(3, '.');
            let (header, claims) = (segments.next()?, segments.next()?);
            Some(format!(
                "{header}.{claims}.{}",
                URL_SAFE_NO_PAD.encode(signature)
            ))
        }
        Forgery::Expired => {
            parts.claims.insert("exp".into(), Value::from(now - 3600));
            if parts.claims.contains_key("iat") {
                parts.claims.insert("iat".into(), Value::from(now - 7200));
            }
            if parts.claims.contains_key("nbf") {
                parts.claims.insert("nbf".into(), Value::from(now - 7200));
            }
            let input = format!("{}.{}", encode(&parts.header), encode(&parts.claims));
            let signature = match key.and_then(|key| hmac(&alg, key, input.as_bytes())) {
                Some(signature) => signature,
                // Without the key the issued signature stays: a service that verifies
                // signatures refuses it for that reason already.
                None => parts.signature,
            };
            Some(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(key: &[u8], claims: &str) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(claims)
        );
        let signature = hmac("HS256", key, input.as_bytes()).unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    fn verify(token: &str, key: &[u8]) -> bool {
        let (input, signature) = token.rsplit_once('.').unwrap();
        hmac("HS256", key, input.as_bytes()).map(|s| URL_SAFE_NO_PAD.encode(s))
            == Some(signature.to_owned())
    }

    #[test]
    fn forgeries_are_what_they_say() {
        let key = b"test-key-for-forgeries";
        let issued = token(key, r#"{"sub":"alice","exp":4102444800,"iat":1700000000}"#);
        assert!(is_jwt(&issued) && verify(&issued, key));
        assert!(!is_jwt("opaque-token") && !is_jwt("a.b.c"));

        let none = forge(&issued, Forgery::AlgNone, None, 1_800_000_000).unwrap();
        assert!(none.ends_with('.'));
        assert_eq!(parse(&none).unwrap().header["alg"], "none");

        let altered = forge(&issued, Forgery::AlteredSignature, None, 0).unwrap();
        assert_ne!(altered, issued);
        assert!(!verify(&altered, key));
        assert_eq!(parse(&altered).unwrap().claims["sub"], "alice");

        let expired = forge(&issued, Forgery::Expired, Some(key), 1_800_000_000).unwrap();
        assert!(verify(&expired, key), "signed properly with the key");
        let claims = parse(&expired).unwrap().claims;
        assert_eq!(claims["exp"], 1_800_000_000 - 3600);
        assert_eq!(claims["iat"], 1_800_000_000 - 7200);
        assert!(can_sign(&issued, Some(key)) && !can_sign(&issued, None));
        let unsigned = forge(&issued, Forgery::Expired, None, 1_800_000_000).unwrap();
        assert!(
            !verify(&unsigned, key),
            "without the key the old signature stays"
        );
    }
}
