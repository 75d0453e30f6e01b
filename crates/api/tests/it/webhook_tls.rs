//! An `https://` webhook round trip on loopback: a TLS receiver started here with a
//! self-signed certificate made here (rcgen, for 127.0.0.1 and localhost), trusted through the
//! subscription's `ca_file`; the receiver verifies the HMAC-SHA256 signature of every delivery
//! itself. Without the `ca_file` the same receiver is refused (its certificate chains to no
//! Mozilla root) and nothing is delivered.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use biaozhun_api::config::RawConfig;
use biaozhun_api::webhook::{self, Payload, Policy};
use hmac::{Hmac, Mac};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

const SECRET: &str = "tls-webhook-secret-0123456789";

/// What the TLS receiver saw: (signature valid, body).
type Seen = Arc<Mutex<Vec<(bool, serde_json::Value)>>>;

/// A self-signed certificate for the loopback names, as DER and PEM, and its key.
fn certificate() -> (CertificateDer<'static>, String, PrivateKeyDer<'static>) {
    let ck = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
        .expect("certificate");
    let der = ck.cert.der().clone();
    let pem = ck.cert.pem();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der()));
    (der, pem, key)
}

/// An https receiver on 127.0.0.1 checking each delivery's signature (401 when wrong).
async fn tls_receiver(cert: CertificateDer<'static>, key: PrivateKeyDer<'static>) -> (u16, Seen) {
    let seen: Seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let sink = sink.clone();
                async move {
                    let given = headers
                        .get(webhook::SIGNATURE_HEADER)
                        .and_then(|h| h.to_str().ok())
                        .unwrap_or_default()
                        .to_string();
                    let mut mac =
                        Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).expect("hmac key");
                    mac.update(&body);
                    let want: String = mac
                        .finalize()
                        .into_bytes()
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect();
                    let signed = given == format!("sha256={want}");
                    let v = serde_json::from_slice(&body).unwrap_or_default();
                    sink.lock().expect("lock").push((signed, v));
                    if signed {
                        StatusCode::OK
                    } else {
                        StatusCode::UNAUTHORIZED
                    }
                }
            },
        ),
    );
    let tls = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let (acceptor, app) = (acceptor.clone(), app.clone());
            tokio::spawn(async move {
                // A client that refuses our certificate ends the handshake: nothing to serve.
                let Ok(stream) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = hyper_util::service::TowerToHyperService::new(app);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (port, seen)
}

fn payload(hook: webhook::Webhook) -> Payload {
    Payload {
        event: "notifications.ingested",
        subscription: hook,
        notifications: Vec::new(),
    }
}

fn quick() -> Policy {
    Policy {
        attempts: 2,
        backoff: std::time::Duration::from_millis(50),
        timeout: std::time::Duration::from_secs(10),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_receiver_gets_signed_deliveries() {
    let (der, pem, key) = certificate();
    let (port, seen) = tls_receiver(der, key).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = dir.path().join("receiver-ca.pem");
    std::fs::write(&ca, pem).expect("write pem");
    let url = format!("https://127.0.0.1:{port}/hook");
    // The subscription as an operator writes it in the config file.
    let config = RawConfig::from_toml(&format!(
        "[[webhooks]]\nurl = \"{url}\"\nsecret = \"{SECRET}\"\nmarket = \"USA\"\nca_file = \"{}\"\n",
        ca.display()
    ))
    .expect("toml")
    .validate()
    .expect("valid");
    let hook = config.webhooks[0].clone();
    assert_eq!(hook.trusted.len(), 1);

    let out = webhook::deliver(&payload(hook.clone()), quick()).await;
    assert!(out.delivered, "{out:?}");
    assert_eq!((out.status, out.attempts), (Some(200), 1));
    {
        let seen = seen.lock().expect("lock");
        assert_eq!(seen.len(), 1);
        assert!(seen[0].0, "the receiver verified the signature");
        assert_eq!(seen[0].1["event"], "notifications.ingested");
        assert_eq!(seen[0].1["subscription"]["market"], "USA");
        assert!(
            seen[0].1["subscription"].get("secret").is_none(),
            "the secret is never sent"
        );
    }

    // Without the receiver's CA the certificate is refused: no request reaches it.
    let untrusted = webhook::Webhook {
        trusted: Vec::new(),
        ..hook
    };
    let out = webhook::deliver(&payload(untrusted), quick()).await;
    assert!(!out.delivered, "{out:?}");
    assert_eq!(out.status, None);
    assert_eq!(seen.lock().expect("lock").len(), 1);
}

#[test]
fn a_bad_ca_file_is_a_clear_config_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate").expect("write");
    for (path, want) in [
        (junk.display().to_string(), "holds no certificate"),
        (
            dir.path().join("missing.pem").display().to_string(),
            "missing.pem",
        ),
    ] {
        let err = RawConfig::from_toml(&format!(
            "[[webhooks]]\nurl = \"https://hooks.example.cn/x\"\nca_file = \"{path}\"\n"
        ))
        .expect("toml")
        .validate()
        .expect_err("refused");
        let text = err.to_string();
        assert!(text.contains("ca_file") && text.contains(want), "{text}");
    }
}
