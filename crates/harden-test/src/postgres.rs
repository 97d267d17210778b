use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// A throwaway PostgreSQL cluster on 127.0.0.1, started with `initdb` and `pg_ctl` from the
/// machine's PostgreSQL packages. `initdb` refuses to run as root, so under root the server runs
/// as the unprivileged user `nobody` (override with `HARDEN_TEST_PG_USER`).
///
/// The cluster stops when the value is dropped, and a watchdog stops it if the test process dies
/// first, so no server outlives its tests.
pub struct PgCluster {
    dir: tempfile::TempDir,
    port: u16,
    bin: PathBuf,
    user: Option<String>,
}

static DATABASES: AtomicU32 = AtomicU32::new(0);

const INSTALL_HINT: &str = "PostgreSQL server binaries (initdb, pg_ctl) were not found. \
The ledger's PostgreSQL tests need them: install them with `apt-get install postgresql` \
(Debian/Ubuntu) or put a PostgreSQL 15+ bin directory on PATH.";

fn find_bin() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default();
    let mut candidates: Vec<PathBuf> = on_path;
    if let Ok(entries) = fs_err::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path().join("bin"))
            .collect();
        versions.sort();
        versions.reverse();
        candidates.extend(versions);
    }
    candidates
        .into_iter()
        .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
        .unwrap_or_else(|| panic!("{INSTALL_HINT}"))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl PgCluster {
    /// Initializes and starts a cluster tuned for tests (no fsync). Panics with an installation
    /// hint if PostgreSQL is missing.
    pub fn start() -> Self {
        Self::start_with(false)
    }

    /// Like [`PgCluster::start`]; `durable` keeps PostgreSQL's default fsync and synchronous
    /// commit, for benchmarks that must pay what production pays.
    pub fn start_with(durable: bool) -> Self {
        Self::start_inner(durable, false)
    }

    /// A cluster that accepts TLS connections only (`hostssl` in pg_hba.conf), with a server
    /// certificate for `localhost` and `127.0.0.1` signed by a throwaway CA made with the
    /// `openssl` command. The CA's PEM file is at [`PgCluster::ca_file`].
    pub fn start_tls() -> Self {
        Self::start_inner(false, true)
    }

    /// The CA certificate of a [`PgCluster::start_tls`] cluster.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("tls").join("ca.pem")
    }

    fn start_inner(durable: bool, tls: bool) -> Self {
        let bin = find_bin();
        let user = is_root()
            .then(|| std::env::var("HARDEN_TEST_PG_USER").unwrap_or_else(|_| "nobody".to_owned()));
        let dir = tempfile::Builder::new()
            .prefix("harden-pg-")
            .tempdir()
            .expect("temporary directory");
        let data = dir.path().join("data");
        let socket = dir.path().join("socket");
        let logs = dir.path().join("log");
        fs_err::create_dir_all(&logs).expect("log directory");
        fs_err::create_dir_all(&data).expect("data directory");
        fs_err::create_dir_all(&socket).expect("socket directory");
        if let Some(user) = &user {
            // The unprivileged server user must reach and own its directories.
            run(Command::new("chmod").arg("755").arg(dir.path()), "chmod");
            run(
                Command::new("chown")
                    .arg("-R")
                    .arg(user)
                    .arg(&data)
                    .arg(&socket)
                    .arg(&logs),
                "chown",
            );
        }
        let cluster = Self {
            port: free_port(),
            dir,
            bin,
            user,
        };
        let initdb = cluster.bin.join("initdb");
        let mut init = cluster.as_server_user(&initdb);
        init.arg("-D").arg(&data).args([
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]);
        run(&mut init, "initdb");
        let tls_options = if tls {
            let tls_dir = cluster.dir.path().join("tls");
            make_certificates(&tls_dir);
            fs_err::write(
                data.join("pg_hba.conf"),
                "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 reject\n",
            )
            .expect("pg_hba.conf");
            if let Some(user) = &cluster.user {
                run(
                    Command::new("chown")
                        .arg("-R")
                        .arg(user)
                        .arg(&tls_dir)
                        .arg(&data),
                    "chown",
                );
            }
            format!(
                " -c ssl=on -c ssl_cert_file={dir}/server.pem -c ssl_key_file={dir}/server.key",
                dir = tls_dir.display()
            )
        } else {
            String::new()
        };
        let speed = if durable {
            ""
        } else {
            " -c fsync=off -c synchronous_commit=off"
        };
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {}{speed}{tls_options} -c max_connections=200",
            cluster.port,
            socket.display()
        );
        let pg_ctl = cluster.bin.join("pg_ctl");
        let mut start = cluster.as_server_user(&pg_ctl);
        start
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(cluster.dir.path().join("log").join("server.log"))
            .args(["-o", &options, "-w", "-t", "180", "start"]);
        run(&mut start, "pg_ctl start");
        cluster.spawn_watchdog(&data);
        cluster
    }

    fn as_server_user(&self, program: &Path) -> Command {
        match &self.user {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(program);
                command
            }
            None => Command::new(program),
        }
    }

    /// Stops the server if this process dies without dropping the cluster.
    fn spawn_watchdog(&self, data: &Path) {
        let stop = format!(
            "while kill -0 {parent} 2>/dev/null; do sleep 1; done; {runuser} {pg_ctl} -D {data} -m immediate stop >/dev/null 2>&1; rm -rf {dir}",
            parent = std::process::id(),
            runuser = self
                .user
                .as_ref()
                .map(|u| format!("runuser -u {u} --"))
                .unwrap_or_default(),
            pg_ctl = self.bin.join("pg_ctl").display(),
            data = data.display(),
            dir = self.dir.path().display(),
        );
        let _ = Command::new("sh")
            .args(["-c", &stop])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
    }

    /// The server's port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Creates a fresh database and returns its URL.
    pub fn fresh_database(&self) -> String {
        let n = DATABASES.fetch_add(1, Ordering::Relaxed);
        let name = format!("harden_test_{}_{n}", std::process::id());
        let mut client = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .expect("connect to the test cluster");
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        self.url(&name)
    }

    /// The directory of the server's binaries (its pg_dump, pg_restore and psql too).
    pub fn bin_dir(&self) -> &std::path::Path {
        &self.bin
    }

    /// URL of a database on this cluster.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let pg_ctl = self.bin.join("pg_ctl");
        let mut stop = self.as_server_user(&pg_ctl);
        stop.arg("-D")
            .arg(&data)
            .args(["-m", "immediate", "-w", "stop"]);
        let _ = stop.stdout(Stdio::null()).stderr(Stdio::null()).status();
    }
}

/// A CA and a server certificate it signs, for `localhost` and `127.0.0.1`.
fn make_certificates(dir: &Path) {
    fs_err::create_dir_all(dir).expect("tls directory");
    let openssl = |args: &[&str]| {
        run(
            Command::new("openssl").current_dir(dir).args(args),
            "openssl",
        );
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=harden test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    fs_err::write(
        dir.join("san.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .expect("san.ext");
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "san.ext",
        "-out",
        "server.pem",
    ]);
    run(
        Command::new("chmod").arg("600").arg(dir.join("server.key")),
        "chmod",
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

fn run(command: &mut Command, what: &str) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: {e}. {INSTALL_HINT}"));
    assert!(
        output.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
