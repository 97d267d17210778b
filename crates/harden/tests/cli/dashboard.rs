//! The dashboard in a real browser (Debian's chromium driven through chromium-driver): sign in,
//! the overview, a project, a run; screenshots of each.

use std::net::TcpListener;
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use harden_test::{PgCluster, TestRepo};
use serde_json::json;

use crate::server::{Server, report_run, request, token};

/// chromium-driver in a process group of its own: dropping it kills the group, so no browser
/// it started outlives the test, whether the test passed or panicked.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .status();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Where the screenshots go: $HARDEN_SCREENSHOTS, else the test target's scratch directory.
fn screenshot_dir() -> PathBuf {
    let dir = std::env::var_os("HARDEN_SCREENSHOTS").map_or_else(
        || PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots"),
        PathBuf::from,
    );
    fs_err::create_dir_all(&dir).unwrap();
    dir
}

/// Two projects with runs, smoke records and a readiness snapshot.
fn seed(server: &Server, database: &str) -> String {
    for (project, fix) in [("billing", false), ("ledger-api", true)] {
        let push = token(database, "acme", Some(project));
        let repo = TestRepo::new();
        repo.write(
            "harden.toml",
            format!(
                "version = 1\n[service]\nname = \"{project}\"\nowners = [\"team@example.com\"]\n"
            ),
        )
        .write("README.md", "# service\n")
        .write(
            "config/app.env",
            concat!("AWS_ACCESS_KEY_ID=AKIA", "Q3EGRIBXKJ7MZTDP\n"),
        );
        repo.commit("init", "2026-11-01T09:00:00Z");
        for _ in 0..3 {
            report_run(&repo, server, &push);
        }
        if fix {
            repo.remove("config/app.env");
            repo.commit("remove the key", "2026-11-02T09:00:00Z");
            report_run(&repo, server, &push);
        }
        let today = jiff::Zoned::now().date();
        let entries: Vec<serde_json::Value> = (0..20)
            .map(|back| {
                let date = today.checked_sub(jiff::Span::new().days(back)).unwrap();
                let pass = fix || back % 6 != 3;
                json!({"kind": "smoke", "body": {"record": {
                    "date": date.to_string(), "time": "09:00", "commit": null, "pass": pass,
                    "checks": null,
                    "failing": if pass { json!([]) } else { json!(["R3.secrets.tree"]) },
                    "run_seq": 1}}})
            })
            .collect();
        let reply = request(
            "POST",
            &format!("{}/api/v1/entries", server.url()),
            Some(&push),
            Some(&json!({ "entries": entries })),
        );
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    token(database, "acme", None)
}

#[test]
fn the_dashboard_signs_in_and_leads_from_the_overview_to_a_run_in_a_real_browser() {
    let cluster = PgCluster::start();
    let database = cluster.fresh_database();
    let server = Server::start(&database, &[]);
    let reader = seed(&server, &database);
    // `localhost` is a secure context for the browser: the `__Host-` cookie with `Secure` is
    // kept over plain HTTP there, as it is over HTTPS in production.
    let base = format!("http://localhost:{}", server.address.port());

    let port = free_port();
    let driver = Driver(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian: apt-get install chromium chromium-driver)"),
    );
    let dir = screenshot_dir();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // The WebDriver client speaks plain HTTP to chromium-driver; rustls still wants a provider
    // (ring, as everywhere in harden; its lack of post-quantum key exchange is moot here).
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    runtime.block_on(async {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                            "--disable-dev-shm-usage", "--window-size=1280,1000"]}),
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            match ClientBuilder::rustls()
                .unwrap()
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => break client,
                Err(error) if Instant::now() < deadline => {
                    let _ = error;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(error) => panic!("no browser session: {error}"),
            }
        };

        // Signed out, the overview sends to the sign-in page.
        client.goto(&format!("{base}/")).await.unwrap();
        assert!(
            client
                .current_url()
                .await
                .unwrap()
                .path()
                .ends_with("/login")
        );
        let source = client.source().await.unwrap();
        assert!(!source.contains("<script"), "the dashboard needs no script");
        assert!(
            source.contains("<label for=\"token\">"),
            "the field has a label"
        );
        // The first Tab lands on the skip link.
        client
            .find(Locator::Css("body"))
            .await
            .unwrap()
            .send_keys("\u{e004}")
            .await
            .unwrap();
        let focused = client
            .execute("return document.activeElement.className", vec![])
            .await
            .unwrap();
        assert_eq!(focused, "skip");
        let field = client.find(Locator::Id("token")).await.unwrap();
        field.send_keys("hst_wrong").await.unwrap();
        client
            .find(Locator::Css("form.login button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let error = client
            .wait()
            .for_element(Locator::Css("p.error"))
            .await
            .unwrap();
        assert_eq!(error.text().await.unwrap(), "That token is not valid.");
        let field = client.find(Locator::Id("token")).await.unwrap();
        field.send_keys(&reader).await.unwrap();
        client
            .find(Locator::Css("form.login button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();

        // The overview: both projects, the failing rounds, streaks.
        client
            .wait()
            .for_element(Locator::Css("table.overview"))
            .await
            .unwrap();
        assert_eq!(client.current_url().await.unwrap().path(), "/");
        let cookies = client.get_all_cookies().await.unwrap();
        let session = cookies
            .iter()
            .find(|c| c.name() == "__Host-harden_session")
            .expect("the session cookie");
        assert_eq!(session.http_only(), Some(true));
        assert_eq!(session.secure(), Some(true));
        let text = client
            .find(Locator::Css("table.overview"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            text.contains("billing") && text.contains("ledger-api"),
            "{text}"
        );
        fs_err::write(dir.join("overview.png"), client.screenshot().await.unwrap()).unwrap();

        // A project: the chart, the calendar, findings with redacted snippets.
        client
            .find(Locator::LinkText("billing"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        client
            .wait()
            .for_element(Locator::Css("svg.chart rect"))
            .await
            .unwrap();
        assert_eq!(
            client.current_url().await.unwrap().path(),
            "/projects/billing"
        );
        let days = client
            .find_all(Locator::Css("table.calendar td.day.fail"))
            .await
            .unwrap();
        assert!(!days.is_empty());
        let page = client.source().await.unwrap();
        assert!(page.contains("R3.secrets.tree"), "the key is a finding");
        assert!(
            !page.contains(concat!("Q3EGRIBXKJ7", "MZTDP")),
            "no secret in full on the page"
        );
        fs_err::write(dir.join("project.png"), client.screenshot().await.unwrap()).unwrap();

        // A run: every gate, the failing ones open with their evidence.
        client
            .find(Locator::Css("table a[href*='/runs/']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        client
            .wait()
            .for_element(Locator::Css("details.gate"))
            .await
            .unwrap();
        assert!(
            client
                .current_url()
                .await
                .unwrap()
                .path()
                .starts_with("/projects/billing/runs/")
        );
        let gates = client.find_all(Locator::Css("details.gate")).await.unwrap();
        assert!(gates.len() > 20, "{}", gates.len());
        let open = client
            .find_all(Locator::Css("details.gate.fail[open]"))
            .await
            .unwrap();
        assert!(!open.is_empty());
        fs_err::write(dir.join("run.png"), client.screenshot().await.unwrap()).unwrap();

        // Signing out ends the session.
        client
            .find(Locator::Css("form.logout button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        client
            .wait()
            .for_element(Locator::Id("token"))
            .await
            .unwrap();
        client.goto(&format!("{base}/")).await.unwrap();
        assert!(
            client
                .current_url()
                .await
                .unwrap()
                .path()
                .ends_with("/login")
        );
        client.close().await.unwrap();
    });
    drop(driver);
    for name in ["overview.png", "project.png", "run.png"] {
        let bytes = fs_err::read(dir.join(name)).unwrap();
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
            "{name}"
        );
    }
}
