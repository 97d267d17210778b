//! `R1.network.exposure`: which doors are open, and to whom. Reads Terraform (AWS security
//! groups, Google firewalls, Azure network security rules, databases and storage with public
//! network access), Kubernetes Services and Helm values, and compose files.

use harden_engine::{Gate, GateCx, GateError, GateOutput};
use std::ops::Range;

use harden_formats::bicep::{self, Value as BicepValue};
use harden_formats::terraform::{
    Body, Resource, Span, Terraform, argument, literal_bool, literal_integer, literal_str,
    literal_strings,
};
use harden_formats::yaml::Node;
use harden_model::{GateId, GateMeta, Items, Location, ProfileLevel, Round, Severity, Target};

/// `R1.network.exposure`.
pub(crate) struct NetworkExposure;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R1.network.exposure"),
    round: Round::R1,
    title: "No door is open to the whole internet but the web ports",
    severity: Severity::High,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "Which doors are open, and to whom: a database, a cache or an SSH port reachable \
from any address is found by internet-wide scanners within hours, and from then on only its \
password stands between the data and the world. The web ports (80, 443) are the doors a \
service means to open; everything else should be reachable from the networks that need it. \
This gate reads Terraform: AWS security groups and their rules (`aws_security_group` ingress, \
`aws_security_group_rule`, `aws_vpc_security_group_ingress_rule`), Google firewalls \
(`google_compute_firewall`) and Azure network security rules open to `0.0.0.0/0`, `::/0`, `*` \
or `Internet` on any port but 80 and 443; databases and storage with public network access \
(`publicly_accessible = true` on RDS and Redshift, Azure servers, caches, vaults and storage \
accounts whose `public_network_access_enabled` is true or left at its default of true, Azure \
firewall rules spanning every address, Cloud SQL authorised networks of `0.0.0.0/0`, S3 \
buckets with a public ACL). It reads Kubernetes Services of type `LoadBalancer` without \
`loadBalancerSourceRanges` (and not annotated internal) that expose ports other than 80 and \
443, the same in Helm values (`service.type`; a `NodePort` opens a port on the nodes, whose \
firewall rules are judged where they are written), and compose files that publish a \
database, cache, broker or admin port on every interface (Docker's published ports bypass the \
host firewall). Bicep templates are read for the same Azure doors (network security rules, \
`publicNetworkAccess` on or left at its default, firewall rules spanning every address, AKS API \
servers without private access or authorised ranges). Admin ports (SSH, RDP, the Docker and Kubernetes APIs, etcd) are named as \
such. Fix: narrow the source to the networks that need the door (a VPN, a bastion, the load \
balancer's security group), keep data stores on private endpoints, bind development ports to \
`127.0.0.1`.",
    evidence: &[
        "terraform files",
        "bicep files",
        "kubernetes services",
        "helm charts",
        "compose files",
        "open to the internet",
    ],
    options: &[],
    items: Some(ITEMS),
};

const ITEMS: Items = Items {
    name: "Terraform, Bicep, Kubernetes manifests, Helm values or compose files",
    globs: &[
        "**/*.tf",
        "**/*.bicep",
        "**/*.yaml",
        "**/*.yml",
        "**/docker-compose*.yml",
        "**/compose*.yaml",
    ],
};

/// Ports that hold data: databases, caches, search engines and brokers.
const DATA_PORTS: [(u16, &str); 22] = [
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (2181, "ZooKeeper"),
    (3306, "MySQL"),
    (4222, "NATS"),
    (5432, "PostgreSQL"),
    (5672, "AMQP"),
    (5984, "CouchDB"),
    (6379, "Redis"),
    (7474, "Neo4j"),
    (7687, "Neo4j"),
    (8086, "InfluxDB"),
    (8123, "ClickHouse"),
    (8529, "ArangoDB"),
    (9042, "Cassandra"),
    (9092, "Kafka"),
    (9200, "Elasticsearch"),
    (9300, "Elasticsearch"),
    (11211, "Memcached"),
    (26257, "CockroachDB"),
    (27017, "MongoDB"),
    (28015, "RethinkDB"),
];

/// Ports that administer a machine or a cluster.
const ADMIN_PORTS: [(u16, &str); 12] = [
    (22, "SSH"),
    (23, "Telnet"),
    (2375, "the Docker API"),
    (2376, "the Docker API"),
    (2379, "etcd"),
    (2380, "etcd"),
    (3389, "RDP"),
    (5900, "VNC"),
    (6443, "the Kubernetes API"),
    (10250, "the kubelet API"),
    (15672, "the RabbitMQ management UI"),
    (8500, "the Consul API"),
];

/// The web ports a service means to open to everyone.
const WEB_PORTS: [u16; 2] = [80, 443];

/// What an open port range lets in, in words: `SSH (22)`, `PostgreSQL (5432)`, `ports
/// 8000-9000`, `every port`.
fn describe(from: u16, to: u16) -> String {
    if from == to {
        let name = ADMIN_PORTS
            .iter()
            .chain(DATA_PORTS.iter())
            .find(|(port, _)| *port == from)
            .map(|(_, name)| *name);
        return match name {
            Some(name) => format!("{name} (port {from})"),
            None => format!("port {from}"),
        };
    }
    if from == 0 && to == u16::MAX {
        return "every port".to_owned();
    }
    let named: Vec<&str> = ADMIN_PORTS
        .iter()
        .chain(DATA_PORTS.iter())
        .filter(|(port, _)| (from..=to).contains(port))
        .map(|(_, name)| *name)
        .collect();
    if named.is_empty() {
        format!("ports {from}-{to}")
    } else {
        let mut named = named;
        named.dedup();
        format!("ports {from}-{to} (including {})", named.join(", "))
    }
}

/// Whether a port range opens anything but the web ports.
fn beyond_web(from: u16, to: u16) -> bool {
    !(from == to && WEB_PORTS.contains(&from))
}

/// Whether a port is a database's or an admin port: what a compose file must not publish on
/// every interface.
fn sensitive(port: u16) -> bool {
    ADMIN_PORTS
        .iter()
        .chain(DATA_PORTS.iter())
        .any(|(p, _)| *p == port)
}

/// Source addresses that mean everyone.
fn everyone(source: &str) -> bool {
    matches!(
        source.trim(),
        "0.0.0.0/0" | "::/0" | "0.0.0.0" | "*" | "Internet" | "internet" | "Any" | "any"
    )
}

/// A protocol that carries no ports (ICMP): its "ports" are message types.
fn portless(protocol: &str) -> bool {
    matches!(
        protocol.to_ascii_lowercase().as_str(),
        "icmp" | "icmpv6" | "1" | "58" | "esp" | "ah" | "50" | "51"
    )
}

/// An exposure found in Terraform: where (the byte span of the block or argument), what it
/// opens and the fix.
struct Open {
    at: Option<Range<usize>>,
    what: String,
    help: &'static str,
}

const NARROW: &str = "narrow the source to the networks that need this door (a VPN, a bastion, the load balancer's security group) or close it";

/// An AWS ingress rule's ports: `from_port`/`to_port` (with `protocol = "-1"` meaning every
/// port), or `None` where they are computed or the protocol carries no ports.
fn aws_ports(body: &Body, protocol_key: &str) -> Option<(u16, u16)> {
    let protocol = argument(body, protocol_key)
        .and_then(|p| {
            literal_str(p)
                .map(str::to_owned)
                .or_else(|| literal_integer(p).map(|n| n.to_string()))
        })
        .unwrap_or_default();
    if matches!(protocol.as_str(), "-1" | "all") {
        return Some((0, u16::MAX));
    }
    if portless(&protocol) {
        return None;
    }
    let from = argument(body, "from_port").and_then(literal_integer)?;
    let to = argument(body, "to_port").and_then(literal_integer)?;
    let (from, to) = (u16::try_from(from).ok()?, u16::try_from(to).ok()?);
    // `0`-`0` with a protocol of tcp is how some write "every port".
    Some(if from == 0 && to == 0 {
        (0, u16::MAX)
    } else {
        (from, to)
    })
}

/// The public sources of an AWS rule: `cidr_blocks`, `ipv6_cidr_blocks`, `cidr_ipv4`,
/// `cidr_ipv6`.
fn aws_public(body: &Body) -> Option<&'static str> {
    for key in ["cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6"] {
        if let Some(expression) = argument(body, key)
            && let Some(source) = literal_strings(expression)
                .into_iter()
                .find(|s| everyone(s))
        {
            return Some(if source.contains(':') {
                "::/0"
            } else {
                "0.0.0.0/0"
            });
        }
    }
    None
}

/// Port ranges as Google and Azure write them: `"22"`, `"8000-9000"`, `"*"`.
fn port_range(text: &str) -> Option<(u16, u16)> {
    let text = text.trim();
    if text == "*" {
        return Some((0, u16::MAX));
    }
    match text.split_once('-') {
        Some((from, to)) => Some((from.trim().parse().ok()?, to.trim().parse().ok()?)),
        None => text.parse().ok().map(|port| (port, port)),
    }
}

fn security_group_rules(resource: Resource<'_>, opens: &mut Vec<Open>) {
    let open = |body: &Body, at: Option<Range<usize>>, protocol: &str, opens: &mut Vec<Open>| {
        if let Some(source) = aws_public(body)
            && let Some((from, to)) = aws_ports(body, protocol)
            && beyond_web(from, to)
        {
            opens.push(Open {
                at,
                what: format!("lets {source} reach {}", describe(from, to)),
                help: NARROW,
            });
        }
    };
    match resource.kind {
        "aws_security_group" => {
            for ingress in resource.block.body.get_blocks("ingress") {
                open(&ingress.body, ingress.span(), "protocol", opens);
            }
        }
        "aws_security_group_rule" => {
            let ingress =
                argument(&resource.block.body, "type").and_then(literal_str) == Some("ingress");
            if ingress {
                open(
                    &resource.block.body,
                    resource.block.span(),
                    "protocol",
                    opens,
                );
            }
        }
        "aws_vpc_security_group_ingress_rule" => {
            open(
                &resource.block.body,
                resource.block.span(),
                "ip_protocol",
                opens,
            );
        }
        "google_compute_firewall" => {
            let body = &resource.block.body;
            let ingress = argument(body, "direction")
                .and_then(literal_str)
                .is_none_or(|d| d.eq_ignore_ascii_case("INGRESS"));
            let public = argument(body, "source_ranges")
                .map(literal_strings)
                .unwrap_or_default()
                .into_iter()
                .find(|s| everyone(s));
            let (true, Some(source)) = (ingress, public) else {
                return;
            };
            for allow in body.get_blocks("allow") {
                let protocol = argument(&allow.body, "protocol")
                    .and_then(literal_str)
                    .unwrap_or("all");
                if portless(protocol) {
                    continue;
                }
                let ranges: Vec<(u16, u16)> = match argument(&allow.body, "ports") {
                    None => vec![(0, u16::MAX)],
                    // Ports as strings (`"22"`, `"8000-9000"`) or numbers (`22`).
                    Some(ports) => literal_strings(ports)
                        .into_iter()
                        .filter_map(port_range)
                        .chain(ports.as_array().into_iter().flat_map(|a| {
                            a.iter()
                                .filter(|e| e.is_number())
                                .filter_map(literal_integer)
                                .filter_map(|n| u16::try_from(n).ok())
                                .map(|n| (n, n))
                        }))
                        .collect(),
                };
                for (from, to) in ranges.into_iter().filter(|(f, t)| beyond_web(*f, *t)) {
                    opens.push(Open {
                        at: allow.span(),
                        what: format!("lets {source} reach {}", describe(from, to)),
                        help: NARROW,
                    });
                }
            }
        }
        "azurerm_network_security_rule" => {
            azure_rule(&resource.block.body, resource.block.span().as_ref(), opens);
        }
        "azurerm_network_security_group" => {
            for rule in resource.block.body.get_blocks("security_rule") {
                azure_rule(&rule.body, rule.span().as_ref(), opens);
            }
        }
        _ => {}
    }
}

fn azure_rule(body: &Body, at: Option<&Range<usize>>, opens: &mut Vec<Open>) {
    let is = |key: &str, want: &str| {
        argument(body, key)
            .and_then(literal_str)
            .is_some_and(|v| v.eq_ignore_ascii_case(want))
    };
    if !is("direction", "Inbound") || !is("access", "Allow") {
        return;
    }
    let mut sources = argument(body, "source_address_prefix")
        .map(literal_strings)
        .unwrap_or_default();
    sources.extend(
        argument(body, "source_address_prefixes")
            .map(literal_strings)
            .unwrap_or_default(),
    );
    let Some(source) = sources.into_iter().find(|s| everyone(s)) else {
        return;
    };
    let protocol = argument(body, "protocol")
        .and_then(literal_str)
        .unwrap_or("*");
    if portless(protocol) {
        return;
    }
    let mut ranges: Vec<&str> = argument(body, "destination_port_range")
        .map(literal_strings)
        .unwrap_or_default();
    ranges.extend(
        argument(body, "destination_port_ranges")
            .map(literal_strings)
            .unwrap_or_default(),
    );
    for (from, to) in ranges
        .into_iter()
        .filter_map(port_range)
        .filter(|(f, t)| beyond_web(*f, *t))
    {
        opens.push(Open {
            at: at.cloned(),
            what: format!("lets `{source}` reach {}", describe(from, to)),
            help: NARROW,
        });
    }
}

/// Azure data stores, caches and vaults judged for public network access (an app's own public
/// endpoint is no data store's).
const AZURE_DATA_STORES: [&str; 16] = [
    "azurerm_storage_account",
    "azurerm_mssql_server",
    "azurerm_redis_cache",
    "azurerm_cosmosdb_account",
    "azurerm_key_vault",
    "azurerm_postgresql_server",
    "azurerm_mysql_server",
    "azurerm_mariadb_server",
    "azurerm_postgresql_flexible_server",
    "azurerm_mysql_flexible_server",
    "azurerm_search_service",
    "azurerm_servicebus_namespace",
    "azurerm_eventhub_namespace",
    "azurerm_synapse_workspace",
    "azurerm_container_registry",
    "azurerm_data_factory",
];

/// Azure resources whose `public_network_access_enabled` defaults to true: leaving it unset
/// leaves the door open.
const AZURE_PUBLIC_BY_DEFAULT: [&str; 8] = [
    "azurerm_storage_account",
    "azurerm_mssql_server",
    "azurerm_redis_cache",
    "azurerm_cosmosdb_account",
    "azurerm_key_vault",
    "azurerm_postgresql_server",
    "azurerm_mysql_server",
    "azurerm_mariadb_server",
];

const PRIVATE: &str =
    "turn public network access off and reach the service through a private endpoint or VPC";

fn public_data_stores(resource: Resource<'_>, opens: &mut Vec<Open>) {
    let body = &resource.block.body;
    let flag = |key: &str| argument(body, key).and_then(literal_bool);
    match resource.kind {
        "aws_db_instance"
        | "aws_rds_cluster_instance"
        | "aws_redshift_cluster"
        | "aws_dms_replication_instance"
            if flag("publicly_accessible") == Some(true) =>
        {
            opens.push(Open {
                at: body
                    .get_attribute("publicly_accessible")
                    .map_or(resource.block.span(), Span::span),
                what: "is publicly accessible: it gets an address anyone on the internet can reach"
                    .to_owned(),
                help: PRIVATE,
            });
        }
        "aws_s3_bucket" | "aws_s3_bucket_acl" => {
            if let Some(acl) = argument(body, "acl").and_then(literal_str)
                && matches!(acl, "public-read" | "public-read-write")
            {
                opens.push(Open {
                    at: body.get_attribute("acl").map_or(resource.block.span(), Span::span),
                    what: format!("grants `{acl}` to everyone"),
                    help: "keep the bucket private (S3 Block Public Access) and serve public files through a CDN with origin access control",
                });
            }
        }
        kind if kind.starts_with("azurerm_") && kind.ends_with("_firewall_rule") => {
            // `start_ip`/`end_ip` in the Redis cache's rules.
            let start = argument(body, "start_ip_address")
                .or_else(|| argument(body, "start_ip"))
                .and_then(literal_str);
            let end = argument(body, "end_ip_address")
                .or_else(|| argument(body, "end_ip"))
                .and_then(literal_str);
            if start == Some("0.0.0.0") && end == Some("255.255.255.255") {
                opens.push(Open {
                    at: resource.block.span(),
                    what: "admits every IPv4 address".to_owned(),
                    help: PRIVATE,
                });
            }
        }
        "aws_eks_cluster" => {
            // The API endpoint is public and open to every address unless the cluster says
            // otherwise (`endpoint_public_access` defaults to true, `public_access_cidrs` to
            // 0.0.0.0/0).
            let config = body.get_blocks("vpc_config").next();
            let public = config.is_none_or(|c| {
                argument(&c.body, "endpoint_public_access")
                    .is_none_or(|v| literal_bool(v) == Some(true))
            });
            let everywhere = config.is_none_or(|c| {
                argument(&c.body, "public_access_cidrs")
                    .is_none_or(|v| literal_strings(v).into_iter().any(everyone))
            });
            if public && everywhere {
                opens.push(Open {
                    at: config.map_or(resource.block.span(), Span::span),
                    what: "exposes the Kubernetes API to every address (public endpoint, no `public_access_cidrs`)".to_owned(),
                    help: "set `endpoint_public_access = false` (reach the API through the VPC) or `public_access_cidrs` to the networks that administer the cluster",
                });
            }
        }
        "google_container_cluster" => {
            let private_endpoint = body.get_blocks("private_cluster_config").any(|c| {
                argument(&c.body, "enable_private_endpoint")
                    .is_some_and(|v| literal_bool(v) != Some(false))
            }) || dynamic(
                body,
                &[
                    "private_cluster_config",
                    "master_authorized_networks_config",
                ],
            );
            let authorised = body
                .get_blocks("master_authorized_networks_config")
                .any(|c| {
                    c.body.get_blocks("cidr_blocks").all(|b| {
                        argument(&b.body, "cidr_block")
                            .and_then(literal_str)
                            .is_none_or(|cidr| !everyone(cidr))
                    })
                });
            if !private_endpoint && !authorised {
                opens.push(Open {
                    at: resource.block.span(),
                    what: "exposes the Kubernetes API to every address (no private endpoint, no master authorised networks)".to_owned(),
                    help: "add `master_authorized_networks_config` with the networks that administer the cluster, or a private endpoint",
                });
            }
        }
        "azurerm_kubernetes_cluster" => {
            // Private, or the caller's decision (a variable).
            let private = argument(body, "private_cluster_enabled")
                .is_some_and(|v| literal_bool(v) != Some(false));
            let ranges = body.get_blocks("api_server_access_profile").any(|p| {
                argument(&p.body, "authorized_ip_ranges").is_some_and(|v| match v.as_array() {
                    // Listed: each range narrower than everyone, and at least one.
                    Some(array) => {
                        !array.is_empty() && !literal_strings(v).into_iter().any(everyone)
                    }
                    // Computed: the caller's ranges.
                    None => true,
                })
            }) || argument(body, "api_server_authorized_ip_ranges").is_some()
                || dynamic(body, &["api_server_access_profile"]);
            if !private && !ranges {
                opens.push(Open {
                    at: resource.block.span(),
                    what: "exposes the Kubernetes API to every address (not private, no authorised IP ranges)".to_owned(),
                    help: "set `private_cluster_enabled = true` or `api_server_access_profile { authorized_ip_ranges = [...] }` to the networks that administer the cluster",
                });
            }
        }
        "aws_s3_bucket_public_access_block" => {
            let off: Vec<&str> = [
                "block_public_acls",
                "block_public_policy",
                "ignore_public_acls",
                "restrict_public_buckets",
            ]
            .into_iter()
            .filter(|key| argument(body, key).and_then(literal_bool) == Some(false))
            .collect();
            if !off.is_empty() {
                opens.push(Open {
                    at: resource.block.span(),
                    what: format!("lets the bucket be made public ({} = false)", off.join(", ")),
                    help: "keep all four public access blocks on and serve public files through a CDN with origin access control",
                });
            }
        }
        "google_storage_bucket_iam_member"
        | "google_storage_bucket_iam_binding"
        | "google_bigquery_dataset_iam_member"
        | "google_bigquery_dataset_iam_binding"
        | "google_cloud_run_service_iam_member"
        | "google_cloud_run_v2_service_iam_member" => {
            let mut members = argument(body, "members")
                .map(literal_strings)
                .unwrap_or_default();
            members.extend(
                argument(body, "member")
                    .map(literal_strings)
                    .unwrap_or_default(),
            );
            // A Cloud Run service invoked by everyone is a public web service; data is not.
            let data = !resource.kind.contains("cloud_run");
            if data
                && let Some(member) = members
                    .into_iter()
                    .find(|m| matches!(*m, "allUsers" | "allAuthenticatedUsers"))
            {
                opens.push(Open {
                    at: resource.block.span(),
                    what: format!("grants `{member}` access to the data"),
                    help: "grant the identities that need the data, not everyone; serve public files through a CDN",
                });
            }
        }
        "google_sql_database_instance" => {
            for settings in body.get_blocks("settings") {
                for ip in settings.body.get_blocks("ip_configuration") {
                    for network in ip.body.get_blocks("authorized_networks") {
                        if argument(&network.body, "value")
                            .and_then(literal_str)
                            .is_some_and(everyone)
                        {
                            opens.push(Open {
                                at: network.span(),
                                what: "authorises every address to connect".to_owned(),
                                help: PRIVATE,
                            });
                        }
                    }
                }
            }
        }
        kind if AZURE_DATA_STORES.contains(&kind) => {
            let setting = body.get_attribute("public_network_access_enabled");
            let value = setting.map(|a| literal_bool(&a.value));
            // A firewall that denies by default (`network_rules`/`network_acls` with
            // `default_action = "Deny"`) leaves public access to the networks it lists:
            // Azure's "enabled from selected networks".
            let denied = ["network_rules", "network_acls"].iter().any(|block| {
                body.get_blocks(block).any(|b| {
                    argument(&b.body, "default_action")
                        .and_then(literal_str)
                        .is_some_and(|a| a.eq_ignore_ascii_case("Deny"))
                })
            });
            let open = !denied
                && match value {
                    Some(Some(true)) => true,
                    // Unset: the provider's default, true for these.
                    None => AZURE_PUBLIC_BY_DEFAULT.contains(&kind),
                    // False, or computed by the caller.
                    Some(_) => false,
                };
            if open {
                opens.push(Open {
                    at: setting.map_or(resource.block.span(), Span::span),
                    what: if setting.is_some() {
                        "has public network access on".to_owned()
                    } else {
                        "leaves public network access at its default: on".to_owned()
                    },
                    help: "set `public_network_access_enabled = false` and reach it through a private endpoint",
                });
            }
        }
        _ => {}
    }
}

/// Azure resource types whose `publicNetworkAccess` is on unless set: the type, and whether a
/// `networkAcls.defaultAction` of `Deny` closes it anyway.
const BICEP_PUBLIC_BY_DEFAULT: [(&str, bool); 5] = [
    ("Microsoft.Storage/storageAccounts", true),
    ("Microsoft.KeyVault/vaults", true),
    ("Microsoft.Sql/servers", false),
    ("Microsoft.DocumentDB/databaseAccounts", false),
    ("Microsoft.Cache/redis", false),
];

/// The strings of a Bicep property written once (`sourceAddressPrefix: '*'`) and of its list
/// form (`sourceAddressPrefixes: [...]`).
fn one_and_many<'v>(object: &'v BicepValue, one: &str, many: &str) -> Vec<&'v str> {
    object
        .get(one)
        .and_then(BicepValue::as_str)
        .into_iter()
        .chain(
            object
                .get(many)
                .map(BicepValue::items)
                .unwrap_or_default()
                .iter()
                .filter_map(BicepValue::as_str),
        )
        .collect()
}

/// The exposures of one Bicep file's resources: line, message, fix.
fn bicep_exposures(resources: &[bicep::Resource]) -> Vec<(u32, String, &'static str)> {
    let mut found = Vec::new();
    for resource in resources {
        let properties = resource.body.get("properties");
        let name = &resource.name;
        let rules: Vec<&BicepValue> = match resource.kind.as_str() {
            "Microsoft.Network/networkSecurityGroups" => properties
                .and_then(|p| p.get("securityRules"))
                .map(|r| {
                    r.items()
                        .iter()
                        .filter_map(|rule| rule.get("properties"))
                        .collect()
                })
                .unwrap_or_default(),
            "Microsoft.Network/networkSecurityGroups/securityRules" => {
                properties.into_iter().collect()
            }
            _ => Vec::new(),
        };
        for rule in rules {
            let is = |key: &str, want: &str| {
                rule.get(key)
                    .and_then(BicepValue::as_str)
                    .is_some_and(|v| v.eq_ignore_ascii_case(want))
            };
            if !is("direction", "Inbound") || !is("access", "Allow") {
                continue;
            }
            let sources = one_and_many(rule, "sourceAddressPrefix", "sourceAddressPrefixes");
            let Some(source) = sources.into_iter().find(|s| everyone(s)) else {
                continue;
            };
            if rule
                .get("protocol")
                .and_then(BicepValue::as_str)
                .is_some_and(portless)
            {
                continue;
            }
            let ranges = one_and_many(rule, "destinationPortRange", "destinationPortRanges");
            let line = rule
                .entry("sourceAddressPrefix")
                .or_else(|| rule.entry("sourceAddressPrefixes"))
                .map_or(resource.line, |(l, _)| l);
            for (from, to) in ranges
                .into_iter()
                .filter_map(port_range)
                .filter(|(f, t)| beyond_web(*f, *t))
            {
                found.push((
                    line,
                    format!("{name} lets `{source}` reach {}", describe(from, to)),
                    NARROW,
                ));
            }
        }
        let kind = resource.kind.as_str();
        if let Some((_, acls_close)) = BICEP_PUBLIC_BY_DEFAULT.iter().find(|(k, _)| *k == kind) {
            let setting = properties.and_then(|p| p.entry("publicNetworkAccess"));
            // A firewall that denies by default leaves access to the networks it lists.
            let denied = *acls_close
                && properties
                    .and_then(|p| p.get("networkAcls"))
                    .and_then(|a| a.get("defaultAction"))
                    .and_then(BicepValue::as_str)
                    .is_some_and(|a| a.eq_ignore_ascii_case("Deny"));
            match setting {
                Some((line, value))
                    if !denied
                        && value
                            .as_str()
                            .is_some_and(|v| v.eq_ignore_ascii_case("Enabled")) =>
                {
                    found.push((
                        line,
                        format!("{name} ({kind}) has public network access on"),
                        PRIVATE,
                    ));
                }
                None if !denied => found.push((
                    resource.line,
                    format!("{name} ({kind}) leaves public network access at its default: on"),
                    PRIVATE,
                )),
                _ => {}
            }
        }
        if kind.ends_with("/firewallRules")
            && let Some(properties) = properties
            && properties
                .get("startIpAddress")
                .and_then(BicepValue::as_str)
                == Some("0.0.0.0")
            && properties.get("endIpAddress").and_then(BicepValue::as_str)
                == Some("255.255.255.255")
        {
            found.push((
                resource.line,
                format!("{name} ({kind}) admits every IPv4 address"),
                PRIVATE,
            ));
        }
        if kind == "Microsoft.ContainerService/managedClusters" {
            let profile = properties.and_then(|p| p.get("apiServerAccessProfile"));
            let private = profile
                .and_then(|p| p.get("enablePrivateCluster"))
                .is_some_and(|v| v.as_bool() != Some(false));
            let ranges = profile
                .and_then(|p| p.get("authorizedIPRanges"))
                .is_some_and(|r| match r {
                    BicepValue::Array(items) => {
                        !items.is_empty()
                            && !items.iter().filter_map(BicepValue::as_str).any(everyone)
                    }
                    _ => true,
                });
            if !private && !ranges {
                found.push((
                    resource.line,
                    format!("{name} exposes the Kubernetes API to every address (not private, no authorised IP ranges)"),
                    "set `apiServerAccessProfile.enablePrivateCluster` or `authorizedIPRanges` to the networks that administer the cluster",
                ));
            }
        }
    }
    found
}

/// Whether a body builds one of `blocks` with a `dynamic` block: the caller's values decide.
fn dynamic(body: &Body, blocks: &[&str]) -> bool {
    body.get_blocks("dynamic").any(|b| {
        b.labels
            .first()
            .is_some_and(|label| blocks.contains(&label.as_str()))
    })
}

/// The Terraform exposures of one parsed file.
fn terraform_exposures(tf: &Terraform) -> Vec<(Resource<'_>, Open)> {
    let mut found = Vec::new();
    for resource in tf.resources() {
        let mut opens = Vec::new();
        security_group_rules(resource, &mut opens);
        public_data_stores(resource, &mut opens);
        found.extend(opens.into_iter().map(|open| (resource, open)));
    }
    found
}

fn location(path: &str, line: u32, column: u32) -> Location {
    crate::support::span_location(path, crate::support::point(line, column))
}

/// Annotations that make a cloud load balancer internal (no public address).
fn internal_load_balancer(metadata: Option<&Node>) -> bool {
    let Some(annotations) = metadata.and_then(|m| m.get("annotations")) else {
        return false;
    };
    annotations.entries().iter().any(|(key, value)| {
        let value = value.scalar_text().unwrap_or_default().to_ascii_lowercase();
        match key.text.as_str() {
            "service.beta.kubernetes.io/aws-load-balancer-internal"
            | "service.beta.kubernetes.io/azure-load-balancer-internal"
            | "service.beta.kubernetes.io/oci-load-balancer-internal" => {
                value == "true" || value.starts_with("0.0.0.0") || value == "1"
            }
            "service.beta.kubernetes.io/aws-load-balancer-scheme" => value == "internal",
            "networking.gke.io/load-balancer-type" | "cloud.google.com/load-balancer-type" => {
                value == "internal"
            }
            _ => false,
        }
    })
}

/// Ports of a Kubernetes Service (or a Helm values `service:` mapping) of type `LoadBalancer`
/// that it opens to everyone beyond the web ports: the node and the port.
fn service_exposures(spec: &Node) -> Vec<(&Node, u16)> {
    if spec.get("loadBalancerSourceRanges").is_some_and(|ranges| {
        let ranges = ranges.items();
        !ranges.is_empty() && !ranges.iter().any(|r| r.as_str().is_some_and(everyone))
    }) {
        return Vec::new();
    }
    let mut ports: Vec<&Node> = spec
        .get("ports")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .collect();
    // Helm values commonly write one `port:`.
    if let Some(port) = spec.get("port") {
        ports.push(port);
    }
    ports
        .into_iter()
        .filter_map(|entry| {
            let node = entry.get("port").unwrap_or(entry);
            let port = node.scalar_text()?.parse::<u16>().ok()?;
            (!WEB_PORTS.contains(&port)).then_some((node, port))
        })
        .collect()
}

/// Exposures in the YAML documents of a Kubernetes manifest: `(line, column, message)`.
fn kubernetes_exposures(documents: &[Node]) -> (u64, Vec<(u32, u32, String)>) {
    let mut services = 0;
    let mut found = Vec::new();
    for document in documents {
        if document.get("kind").and_then(Node::as_str) != Some("Service") {
            continue;
        }
        services += 1;
        let Some(spec) = document.get("spec") else {
            continue;
        };
        let kind = spec
            .get("type")
            .and_then(Node::as_str)
            .unwrap_or("ClusterIP");
        // A NodePort opens a high port on every node, reachable as far as the nodes' own
        // firewall lets it (judged in the security group or firewall rules); a LoadBalancer
        // gets an address of its own.
        if kind != "LoadBalancer" || internal_load_balancer(document.get("metadata")) {
            continue;
        }
        let name = document
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        for (node, port) in service_exposures(spec) {
            found.push((
                node.span.start.line,
                node.span.start.column,
                exposure_message(&format!("Service `{name}`"), port),
            ));
        }
    }
    (services, found)
}

fn exposure_message(subject: &str, port: u16) -> String {
    format!(
        "{subject} of type LoadBalancer exposes {} to the internet (no loadBalancerSourceRanges)",
        describe(port, port)
    )
}

/// Exposures in a Helm chart's values: any `service:` mapping with a public type.
fn helm_exposures(node: &Node, depth: usize, found: &mut Vec<(u32, u32, String)>) {
    if depth > 8 {
        return;
    }
    for (key, value) in node.entries() {
        if key.text.eq_ignore_ascii_case("service") || key.text.ends_with("Service") {
            let kind = value.get("type").and_then(Node::as_str).unwrap_or_default();
            let internal = internal_load_balancer(Some(value));
            if kind == "LoadBalancer" && !internal {
                for (port_node, port) in service_exposures(value) {
                    found.push((
                        port_node.span.start.line,
                        port_node.span.start.column,
                        exposure_message(&format!("`{}`", key.text), port),
                    ));
                }
            }
        }
        helm_exposures(value, depth + 1, found);
    }
}

/// A compose `ports:` entry that publishes a database or admin port on every interface: the
/// container port. Short syntax `[HOST_IP:][HOST:]CONTAINER[/PROTOCOL]`, long syntax with
/// `target`, `published` and `host_ip`.
fn compose_published(entry: &Node) -> Option<u16> {
    let (host_ip, container) = if entry.entries().is_empty() {
        let text = entry.scalar_text()?;
        // `${PG_PORT:-5432}` is one part, whatever colons it holds.
        let text = strip_interpolation(&text);
        let text = text.split('/').next().unwrap_or_default();
        // An IPv6 host address is bracketed: `[::1]:5432:5432`.
        let (host_ip, rest) = if let Some(rest) = text.strip_prefix('[') {
            let (ip, rest) = rest.split_once("]:")?;
            (Some(ip.to_owned()), rest.to_owned())
        } else {
            let parts: Vec<&str> = text.split(':').collect();
            match parts.as_slice() {
                [ip, host, container] => (Some((*ip).to_owned()), format!("{host}:{container}")),
                _ => (None, text.to_owned()),
            }
        };
        let container = rest.rsplit(':').next().unwrap_or_default().to_owned();
        (host_ip, container)
    } else {
        (
            entry.get("host_ip").and_then(Node::scalar_text),
            entry
                .get("target")
                .and_then(Node::scalar_text)
                .unwrap_or_default(),
        )
    };
    if host_ip
        .as_deref()
        .is_some_and(|ip| !matches!(ip, "0.0.0.0" | "::" | ""))
    {
        return None;
    }
    // A range (`5432-5434`) publishes each; its first port names it.
    let port = container.split('-').next()?.trim().parse::<u16>().ok()?;
    sensitive(port).then_some(port)
}

/// A compose value with each `${...}` replaced by `X`.
fn strip_interpolation(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        out.push('X');
        rest = rest[start..]
            .find('}')
            .map_or("", |end| &rest[start + end + 1..]);
    }
    out.push_str(rest);
    out
}

fn compose_exposures(documents: &[Node]) -> Vec<(u32, u32, String)> {
    let mut found = Vec::new();
    for document in documents {
        let Some(services) = document.get("services") else {
            continue;
        };
        for (name, service) in services.entries() {
            for entry in service.get("ports").map(Node::items).unwrap_or_default() {
                if let Some(port) = compose_published(entry) {
                    found.push((
                        entry.span.start.line,
                        entry.span.start.column,
                        format!(
                            "service `{}` publishes {} on every interface of the host",
                            name.text,
                            describe(port, port)
                        ),
                    ));
                }
            }
        }
    }
    found
}

/// Whether a compose file is for development by its name or directory.
fn development_compose(path: &str) -> bool {
    // A hidden directory (`.devcontainer/`, `.worktree-container/`) sets up a developer's
    // machine; the rest is the classifier's development role, which every gate shares.
    let dirs = path.rsplit_once('/').map_or("", |(dirs, _)| dirs);
    dirs.split('/').any(|dir| dir.starts_with('.'))
        || crate::paths::role(path) == crate::paths::PathRole::Development
}

impl Gate for NetworkExposure {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let classified = crate::classify::classified(cx)?;
        let (mut terraform_files, mut bicep_files, mut services, mut values, mut composes) =
            (0u64, 0u64, 0u64, 0u64, 0u64);
        let mut open = 0u64;
        for class in classified.iter() {
            let path = class.path.as_str();
            if crate::iac::is_terraform(class) {
                let Some(parsed) = crate::iac::terraform(cx, out, path)? else {
                    continue;
                };
                let Ok(tf) = &*parsed else { continue };
                terraform_files += 1;
                for (resource, exposure) in terraform_exposures(tf) {
                    open += 1;
                    let (line, column) = tf.position_of(exposure.at.clone());
                    out.finding(
                        cx.finding(
                            format!("{}.{} {}", resource.kind, resource.name, exposure.what),
                            location(path, line, column),
                        )
                        .identity(format!(
                            "tf:{path}:{}.{}:{}",
                            resource.kind, resource.name, exposure.what
                        ))
                        .help(exposure.help)
                        .build(),
                    );
                }
                continue;
            }
            if crate::iac::is_bicep(class) {
                let Some(resources) = crate::iac::bicep(cx, out, path)? else {
                    continue;
                };
                bicep_files += 1;
                for (line, message, help) in bicep_exposures(&resources) {
                    open += 1;
                    out.finding(
                        cx.finding(message.clone(), location(path, line, 1))
                            .identity(format!("bicep:{path}:{message}"))
                            .help(help)
                            .build(),
                    );
                }
                continue;
            }
            let compose = crate::iac::is_deployed_compose(class);
            let manifest = crate::iac::is_deployed_yaml(class);
            if !compose && !manifest {
                continue;
            }
            let Some(bytes) = crate::support::read_parsed_into(cx, out, path)? else {
                continue;
            };
            let helm_values = manifest
                && path
                    .rsplit('/')
                    .next()
                    .is_some_and(|n| n.starts_with("values"))
                && cx.repo().is_file(&format!(
                    "{}Chart.yaml",
                    &path[..path.rfind('/').map_or(0, |i| i + 1)]
                ));
            let kubernetes = manifest && memchr::memmem::find(&bytes, b"Service").is_some();
            if !compose && !helm_values && !kubernetes {
                continue;
            }
            let text = harden_engine::lossy_text(&bytes);
            let documents = crate::support::yaml_documents(cx.cache(), path, &text);
            // Templates (`{{ }}`) and other YAML that does not parse are not manifests.
            let Ok(documents) = &*documents else { continue };
            let found = if compose {
                composes += 1;
                compose_exposures(documents)
            } else if helm_values {
                values += 1;
                let mut found = Vec::new();
                for document in documents {
                    helm_exposures(document, 0, &mut found);
                }
                found
            } else {
                let (count, found) = kubernetes_exposures(documents);
                services += count;
                found
            };
            // A compose file for development (`docker-compose.dev.yml`, a dev container, the
            // override compose loads on a developer's machine, one that mounts the working
            // copy) exposes a laptop on whatever network it joins, not production: still a
            // door, one step less severe.
            let development = compose
                && (development_compose(path) || crate::iac::develops_working_copy(path, &bytes));
            for (line, column, message) in found {
                open += 1;
                let message = if development {
                    format!("{message} (a development compose file)")
                } else {
                    message
                };
                out.finding(
                    cx.finding(message.clone(), location(path, line, column))
                        .severity(if development { Severity::Medium } else { META.severity })
                        .identity(format!("yaml:{path}:{message}"))
                        .help(if compose {
                            "publish it on the loopback interface only (`127.0.0.1:PORT:PORT`) or not at all: services on the compose network reach it by name"
                        } else {
                            "serve it through a ClusterIP Service behind an ingress, or set `loadBalancerSourceRanges` (or an internal load balancer annotation) to the networks that need it"
                        })
                        .build(),
                );
            }
        }
        if terraform_files > 0 {
            out.examined("terraform files", terraform_files);
        }
        if bicep_files > 0 {
            out.examined("bicep files", bicep_files);
        }
        if services > 0 {
            out.examined("kubernetes services", services);
        }
        if values > 0 {
            out.examined("helm charts", values);
        }
        if composes > 0 {
            out.examined("compose files", composes);
        }
        if terraform_files + bicep_files + services + values + composes > 0 {
            out.count("open to the internet", open);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opens(text: &str) -> Vec<String> {
        let tf = Terraform::parse(text).unwrap();
        terraform_exposures(&tf)
            .into_iter()
            .map(|(r, o)| {
                let (line, _) = tf.position_of(o.at.clone());
                format!("{line}: {}.{} {}", r.kind, r.name, o.what)
            })
            .collect()
    }

    #[test]
    fn security_groups_open_to_the_world() {
        let found = opens(
            r#"
resource "aws_security_group" "web" {
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port        = 22
    to_port          = 22
    protocol         = "tcp"
    ipv6_cidr_blocks = ["::/0"]
  }
  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    from_port   = 8
    to_port     = 0
    protocol    = "icmp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_security_group_rule" "all" {
  type        = "ingress"
  from_port   = 0
  to_port     = 0
  protocol    = "-1"
  cidr_blocks = ["0.0.0.0/0"]
}
resource "aws_security_group_rule" "egress" {
  type        = "egress"
  from_port   = 0
  to_port     = 0
  protocol    = "-1"
  cidr_blocks = ["0.0.0.0/0"]
}
resource "aws_vpc_security_group_ingress_rule" "db" {
  from_port   = 3000
  to_port     = 3400
  ip_protocol = "tcp"
  cidr_ipv4   = "0.0.0.0/0"
}
resource "aws_vpc_security_group_ingress_rule" "var" {
  from_port   = var.port
  to_port     = var.port
  ip_protocol = "tcp"
  cidr_ipv4   = "0.0.0.0/0"
}
"#,
        );
        assert_eq!(
            found,
            [
                "9: aws_security_group.web lets ::/0 reach SSH (port 22)",
                "28: aws_security_group_rule.all lets 0.0.0.0/0 reach every port",
                "42: aws_vpc_security_group_ingress_rule.db lets 0.0.0.0/0 reach ports 3000-3400 (including RDP, MySQL)",
            ]
        );
    }

    #[test]
    fn google_and_azure_rules() {
        let found = opens(
            r#"
resource "google_compute_firewall" "ssh" {
  source_ranges = ["0.0.0.0/0"]
  allow {
    protocol = "tcp"
    ports    = ["22", "443"]
  }
  allow {
    protocol = "icmp"
  }
}
resource "google_compute_firewall" "numbers" {
  source_ranges = ["0.0.0.0/0"]
  allow {
    protocol = "tcp"
    ports    = [3389]
  }
}
resource "azurerm_redis_firewall_rule" "all" {
  start_ip = "0.0.0.0"
  end_ip   = "255.255.255.255"
}
resource "google_compute_firewall" "internal" {
  source_ranges = ["10.0.0.0/8"]
  allow {
    protocol = "tcp"
  }
}
resource "azurerm_network_security_group" "nsg" {
  security_rule {
    name                       = "rdp"
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_address_prefix      = "*"
    destination_port_range     = "3389"
  }
  security_rule {
    name                       = "https"
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_address_prefix      = "Internet"
    destination_port_range     = "443"
  }
  security_rule {
    name                       = "deny"
    direction                  = "Inbound"
    access                     = "Deny"
    protocol                   = "*"
    source_address_prefix      = "*"
    destination_port_range     = "*"
  }
}
"#,
        );
        assert_eq!(
            found,
            [
                "4: google_compute_firewall.ssh lets 0.0.0.0/0 reach SSH (port 22)",
                "14: google_compute_firewall.numbers lets 0.0.0.0/0 reach RDP (port 3389)",
                "19: azurerm_redis_firewall_rule.all admits every IPv4 address",
                "30: azurerm_network_security_group.nsg lets `*` reach RDP (port 3389)",
            ]
        );
    }

    #[test]
    fn public_data_stores_and_defaults() {
        let found = opens(
            r#"
resource "aws_db_instance" "main" {
  publicly_accessible = true
}
resource "aws_db_instance" "private" {
  publicly_accessible = false
}
resource "azurerm_storage_account" "default" {
  name = "x"
}
resource "azurerm_storage_account" "closed" {
  public_network_access_enabled = false
}
resource "azurerm_key_vault" "caller" {
  public_network_access_enabled = var.public
}
resource "azurerm_postgresql_flexible_server" "on" {
  public_network_access_enabled = true
}
resource "azurerm_postgresql_firewall_rule" "all" {
  start_ip_address = "0.0.0.0"
  end_ip_address   = "255.255.255.255"
}
resource "azurerm_postgresql_firewall_rule" "azure" {
  start_ip_address = "0.0.0.0"
  end_ip_address   = "0.0.0.0"
}
resource "aws_s3_bucket_acl" "site" {
  acl = "public-read"
}
resource "google_sql_database_instance" "db" {
  settings {
    ip_configuration {
      authorized_networks {
        value = "0.0.0.0/0"
      }
    }
  }
}
"#,
        );
        assert_eq!(
            found,
            [
                "3: aws_db_instance.main is publicly accessible: it gets an address anyone on the internet can reach",
                "8: azurerm_storage_account.default leaves public network access at its default: on",
                "18: azurerm_postgresql_flexible_server.on has public network access on",
                "20: azurerm_postgresql_firewall_rule.all admits every IPv4 address",
                "29: aws_s3_bucket_acl.site grants `public-read` to everyone",
                "34: google_sql_database_instance.db authorises every address to connect",
            ]
        );
    }

    #[test]
    fn cluster_apis_and_public_data() {
        let found = opens(
            r#"
resource "aws_eks_cluster" "open" {
  vpc_config {
    subnet_ids = var.subnets
  }
}
resource "aws_eks_cluster" "private" {
  vpc_config {
    endpoint_public_access = false
  }
}
resource "google_container_cluster" "gke" {
  master_authorized_networks_config {
    cidr_blocks {
      cidr_block = "10.0.0.0/8"
    }
  }
}
resource "azurerm_kubernetes_cluster" "aks" {
  name = "aks"
}
resource "azurerm_kubernetes_cluster" "ranged" {
  api_server_access_profile {
    authorized_ip_ranges = var.admin_ranges
  }
}
resource "aws_s3_bucket_public_access_block" "site" {
  block_public_acls   = true
  block_public_policy = false
}
resource "google_storage_bucket_iam_member" "public" {
  bucket = "b"
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}
resource "google_cloud_run_v2_service_iam_member" "invoker" {
  member = "allUsers"
}
"#,
        );
        assert_eq!(
            found,
            [
                "3: aws_eks_cluster.open exposes the Kubernetes API to every address (public endpoint, no `public_access_cidrs`)",
                "19: azurerm_kubernetes_cluster.aks exposes the Kubernetes API to every address (not private, no authorised IP ranges)",
                "27: aws_s3_bucket_public_access_block.site lets the bucket be made public (block_public_policy = false)",
                "31: google_storage_bucket_iam_member.public grants `allUsers` access to the data",
            ]
        );
    }

    #[test]
    fn bicep_doors() {
        let resources = bicep::resources(
            "resource nsg 'Microsoft.Network/networkSecurityGroups@2023-04-01' = {\n  name: 'nsg'\n  properties: {\n    securityRules: [\n      {\n        name: 'ssh'\n        properties: {\n          direction: 'Inbound'\n          access: 'Allow'\n          protocol: 'Tcp'\n          sourceAddressPrefix: 'Internet'\n          destinationPortRange: '22'\n        }\n      }\n      {\n        name: 'https'\n        properties: {\n          direction: 'Inbound'\n          access: 'Allow'\n          sourceAddressPrefix: '*'\n          destinationPortRange: '443'\n        }\n      }\n    ]\n  }\n}\nresource st 'Microsoft.Storage/storageAccounts@2023-01-01' = {\n  name: 'st'\n  properties: {\n    networkAcls: {\n      defaultAction: 'Deny'\n    }\n  }\n}\nresource kv 'Microsoft.KeyVault/vaults@2023-02-01' = {\n  name: 'kv'\n  properties: {\n    publicNetworkAccess: 'Enabled'\n  }\n}\nresource sql 'Microsoft.Sql/servers@2021-11-01' = {\n  name: 'sql'\n  properties: {\n    publicNetworkAccess: 'Disabled'\n  }\n}\nresource all 'Microsoft.Sql/servers/firewallRules@2021-11-01' = {\n  parent: sql\n  name: 'all'\n  properties: {\n    startIpAddress: '0.0.0.0'\n    endIpAddress: '255.255.255.255'\n  }\n}\nresource aks 'Microsoft.ContainerService/managedClusters@2024-01-01' = {\n  name: 'aks'\n  properties: {\n    dnsPrefix: 'aks'\n  }\n}\n",
        );
        let found: Vec<String> = bicep_exposures(&resources)
            .into_iter()
            .map(|(line, message, _)| format!("{line}: {message}"))
            .collect();
        assert_eq!(
            found,
            [
                "11: nsg lets `Internet` reach SSH (port 22)",
                "38: kv (Microsoft.KeyVault/vaults) has public network access on",
                "47: all (Microsoft.Sql/servers/firewallRules) admits every IPv4 address",
                "55: aks exposes the Kubernetes API to every address (not private, no authorised IP ranges)",
            ]
        );
    }

    #[test]
    fn kubernetes_services() {
        let documents = harden_formats::yaml::parse(
            "kind: Service\nmetadata:\n  name: web\nspec:\n  type: LoadBalancer\n  ports:\n    - port: 443\n    - port: 5432\n---\nkind: Service\nmetadata:\n  name: ranged\nspec:\n  type: LoadBalancer\n  loadBalancerSourceRanges: [10.0.0.0/8]\n  ports:\n    - port: 22\n---\nkind: Service\nmetadata:\n  name: internal\n  annotations:\n    service.beta.kubernetes.io/aws-load-balancer-scheme: internal\nspec:\n  type: LoadBalancer\n  ports:\n    - port: 6379\n---\nkind: Service\nmetadata:\n  name: nodes\nspec:\n  type: NodePort\n  ports:\n    - port: 8080\n---\nkind: Service\nmetadata:\n  name: cluster\nspec:\n  ports:\n    - port: 5432\n",
        )
        .unwrap();
        let (services, found) = kubernetes_exposures(&documents);
        assert_eq!(services, 5);
        let found: Vec<String> = found
            .into_iter()
            .map(|(line, _, message)| format!("{line}: {message}"))
            .collect();
        assert_eq!(
            found,
            [
                "8: Service `web` of type LoadBalancer exposes PostgreSQL (port 5432) to the internet (no loadBalancerSourceRanges)",
            ]
        );
    }

    /// A compose file that builds from the repository and mounts the working copy runs the
    /// code being edited: a developer's, unless its name says it deploys.
    #[test]
    fn compose_files_that_mount_the_working_copy() {
        for text in [
            "services:\n  php:\n    build: .\n    volumes:\n      - ./:/home/shlink/www\n",
            "services:\n  app:\n    build: .\n    volumes:\n      - .:/app:cached\n",
            "services:\n  app:\n    build:\n      context: ..\n    volumes:\n      - \"../:/src\"\n",
            "services:\n  app:\n    build: .\n    volumes:\n      - ${PWD}:/work\n",
            "services:\n  app:\n    build: .\n    volumes:\n      - type: bind\n        source: .\n        target: /app\n",
        ] {
            assert!(
                crate::iac::develops_working_copy("docker-compose.yml", text.as_bytes()),
                "{text}"
            );
        }
        let shlink = "services:\n  php:\n    build: .\n    volumes:\n      - ./:/home/shlink/www\n";
        for path in [
            "docker-compose.prod.yml",
            "deploy/compose.yaml",
            "production/docker-compose.yml",
        ] {
            assert!(
                !crate::iac::develops_working_copy(path, shlink.as_bytes()),
                "{path}"
            );
        }
        for text in [
            "services:\n  app:\n    image: app:1.4\n    volumes:\n      - ./config/app.toml:/etc/app.toml:ro\n      - data:/var/lib/app\n",
            "services:\n  app:\n    build: .\n    volumes:\n      - ./.env:/app/.env\n      - type: bind\n        source: ./certs\n        target: /certs\n",
            // A PHP image serving the code it mounts, nothing built: may well be production.
            "services:\n  web:\n    image: php:8.3-apache\n    volumes:\n      - ./:/var/www/html\n",
        ] {
            assert!(
                !crate::iac::develops_working_copy("docker-compose.yml", text.as_bytes()),
                "{text}"
            );
        }
    }

    #[test]
    fn development_compose_files() {
        for path in [
            "docker-compose.dev.yml",
            ".devcontainer/docker-compose.yml",
            ".worktree-container/docker-compose.yml",
            "docker-compose.override.yml",
            "compose.local.yaml",
            "dev/docker-compose.yml",
            "docker/development/compose.yml",
        ] {
            assert!(development_compose(path), "{path}");
        }
        for path in [
            "docker-compose.yml",
            "deploy/compose.prod.yaml",
            "docker-compose.build.yml",
            "docker/production/compose.yml",
        ] {
            assert!(!development_compose(path), "{path}");
        }
    }

    #[test]
    fn firewalled_stores_apps_and_interpolated_ports() {
        let found = opens(
            r#"
resource "azurerm_storage_account" "selected" {
  public_network_access_enabled = true
  network_rules {
    default_action = "Deny"
    ip_rules       = ["203.0.113.0/24"]
  }
}
resource "azurerm_key_vault" "acl" {
  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
  }
}
resource "azurerm_linux_web_app" "site" {
  public_network_access_enabled = true
}
resource "azurerm_kubernetes_cluster" "caller" {
  private_cluster_enabled = var.private
}
resource "google_container_cluster" "dynamic" {
  dynamic "master_authorized_networks_config" {
    for_each = var.admin_networks
    content {}
  }
}
"#,
        );
        assert!(found.is_empty(), "{found:?}");
        let documents = harden_formats::yaml::parse(
            "services:\n  db:\n    ports:\n      - \"127.0.0.1:${PG_PORT:-5432}:5432\"\n      - \"${REDIS_PORT:-6379}:6379\"\n",
        )
        .unwrap();
        let found: Vec<String> = compose_exposures(&documents)
            .into_iter()
            .map(|(line, _, message)| format!("{line}: {message}"))
            .collect();
        assert_eq!(
            found,
            ["5: service `db` publishes Redis (port 6379) on every interface of the host"]
        );
    }

    #[test]
    fn compose_ports() {
        let documents = harden_formats::yaml::parse(
            "services:\n  db:\n    image: postgres\n    ports:\n      - \"5432:5432\"\n      - \"127.0.0.1:6379:6379\"\n      - 27017\n      - target: 3306\n        published: 3306\n      - target: 9200\n        host_ip: 127.0.0.1\n      - \"8000:8000\"\n      - \"0.0.0.0:2222:22\"\n",
        )
        .unwrap();
        let found: Vec<String> = compose_exposures(&documents)
            .into_iter()
            .map(|(line, _, message)| format!("{line}: {message}"))
            .collect();
        assert_eq!(
            found,
            [
                "5: service `db` publishes PostgreSQL (port 5432) on every interface of the host",
                "7: service `db` publishes MongoDB (port 27017) on every interface of the host",
                "8: service `db` publishes MySQL (port 3306) on every interface of the host",
                "13: service `db` publishes SSH (port 22) on every interface of the host",
            ]
        );
    }
}
