# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_harden_global_optspecs
    string join \n log-format= v/verbose color= h/help V/version
end

function __fish_harden_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_harden_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_harden_using_subcommand
    set -l cmd (__fish_harden_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c harden -n "__fish_harden_needs_command" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_needs_command" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_needs_command" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_needs_command" -s V -l version -d 'Print version'
complete -c harden -n "__fish_harden_needs_command" -f -a "init" -d 'Look at a repository and write a commented harden.toml for it'
complete -c harden -n "__fish_harden_needs_command" -f -a "check" -d 'Run the gates of a profile over a repository and record the run in the ledger'
complete -c harden -n "__fish_harden_needs_command" -f -a "probe" -d 'Run the live gates against a running service, with no config and nothing recorded'
complete -c harden -n "__fish_harden_needs_command" -f -a "gates" -d 'List every gate: id, round, default severity, profile and title'
complete -c harden -n "__fish_harden_needs_command" -f -a "explain" -d 'Explain a gate (what it checks, why it matters, how to fix a failure, what it records) or a secret rule a finding names (what it matches and how to silence a false positive)'
complete -c harden -n "__fish_harden_needs_command" -f -a "config" -d 'Validate harden.toml or print its JSON Schema'
complete -c harden -n "__fish_harden_needs_command" -f -a "ledger" -d 'Inspect and verify the evidence ledger'
complete -c harden -n "__fish_harden_needs_command" -f -a "smoke" -d 'Record and inspect the daily smoke window of a rollout'
complete -c harden -n "__fish_harden_needs_command" -f -a "attest" -d 'Record that a person vouches for a checklist item no scanner can prove (a penetration test, a trained team, a status page): who, when, the evidence (a file\'s digest, or a URL), and until when. `harden gates --checklist` shows it, and when it expires'
complete -c harden -n "__fish_harden_needs_command" -f -a "drill" -d 'Drills: the `[[drill]]` commands that prove checklist items (a backup restored, a failover, a load test), run and recorded in the ledger as the item\'s evidence'
complete -c harden -n "__fish_harden_needs_command" -f -a "exit-criteria" -d 'Decide whether the rollout may exit: every configured criterion with its evidence'
complete -c harden -n "__fish_harden_needs_command" -f -a "promote" -d 'Promotion checks by commit'
complete -c harden -n "__fish_harden_needs_command" -f -a "plan" -d 'Hardening procedures: objective, scope, references, actions mapped to verifying gates'
complete -c harden -n "__fish_harden_needs_command" -f -a "readiness" -d 'Write the rollout readiness snapshot of today'
complete -c harden -n "__fish_harden_needs_command" -f -a "secrets" -d 'Scan for secrets directly: any directory (git or not, with or without harden.toml), standard input, staged changes or the full history'
complete -c harden -n "__fish_harden_needs_command" -f -a "db" -d 'The local advisory database that R4.vulns matches locked packages against, offline'
complete -c harden -n "__fish_harden_needs_command" -f -a "sbom" -d 'Write the software bill of materials of a repository: every package its lockfiles lock'
complete -c harden -n "__fish_harden_needs_command" -f -a "scaffold" -d 'Write the documents a launch needs, with every team-specific answer left as a `TODO(harden):` marker: incident response (severities P0-P3, response per severity, escalation, communication and post-mortem templates), runbooks (disaster recovery, migration recovery, on-call with a first look per alert, database, high traffic, third-party outages, deployment failures, security incidents), observability, and the security audit. Existing files are kept unless --force. R7.runbooks fails while a marker remains in a runbook'
complete -c harden -n "__fish_harden_needs_command" -f -a "waivers" -d 'Waivers: bring in the suppressions a team already keeps for other tools'
complete -c harden -n "__fish_harden_needs_command" -f -a "serve" -d 'Run the team server: many repositories\' runs on one PostgreSQL database, an API under /api/v1 and a dashboard'
complete -c harden -n "__fish_harden_needs_command" -f -a "push" -d 'Send the entries of the local ledger (runs, smoke records, readiness snapshots, plan states) to a team server, into the project of the token in HARDEN_TOKEN'
complete -c harden -n "__fish_harden_needs_command" -f -a "completions" -d 'Print the shell completion script for SHELL (bash, zsh, fish, elvish, powershell)'
complete -c harden -n "__fish_harden_needs_command" -f -a "man" -d 'Write the manual pages: `harden.1` and one page per command (`harden-check.1`), into DIR'
complete -c harden -n "__fish_harden_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand init" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand init" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand init" -l force -d 'Overwrite an existing harden.toml'
complete -c harden -n "__fish_harden_using_subcommand init" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand check" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand check" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand check" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand check" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand check" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand check" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand check" -l profile -d 'Profile to run: prototype, production or a [profiles.<name>] of the config' -r
complete -c harden -n "__fish_harden_using_subcommand check" -l only -d 'Run only gates matching these ids or patterns (`R7.*`). Repeatable' -r
complete -c harden -n "__fish_harden_using_subcommand check" -l skip -d 'Never run gates matching these ids or patterns (`R1.*`), whatever selects them. Repeatable' -r
complete -c harden -n "__fish_harden_using_subcommand check" -s f -l format -d 'Output format' -r -f -a "human\t''
json\t''
sarif\t''
junit\t''
markdown\t''
github\t'GitHub Actions workflow annotations'
gitlab\t'GitLab code quality report'"
complete -c harden -n "__fish_harden_using_subcommand check" -s o -l output -d 'Write the report to this file instead of stdout' -r -F
complete -c harden -n "__fish_harden_using_subcommand check" -l report -d 'Also write the report in another format to a file, `FORMAT=PATH` (`sarif=harden.sarif`): people read the terminal while CI uploads the file, from one run. Repeatable' -r
complete -c harden -n "__fish_harden_using_subcommand check" -l security-audit -d 'Also write the security audit document: the scan by round, the OWASP Top 10 category by category, dependencies, configuration, every open finding and the remediation tasks. To `--security-audit=PATH`, else to `[security-audit] path`, else to sdlc/security-audit.md in the repository. A document there that harden did not write (a team\'s own audit, `harden scaffold security-audit`) is never overwritten' -r
complete -c harden -n "__fish_harden_using_subcommand check" -l min-severity -d 'Leave findings below this severity out of the report: they fail nothing (each gate\'s evidence counts them)' -r -f -a "info\t''
low\t''
medium\t''
high\t''
critical\t''"
complete -c harden -n "__fish_harden_using_subcommand check" -l report-to -d 'Send the run to a team server (`harden serve`) as well, into the project of the token in HARDEN_TOKEN. A server that cannot be reached makes the command fail (exit 2) after the run is recorded locally; `harden push` sends it later' -r
complete -c harden -n "__fish_harden_using_subcommand check" -l artifact -d 'Digest of the build artefact this run vouches for (`sha256:<64 hex>`), for promotion' -r
complete -c harden -n "__fish_harden_using_subcommand check" -l base -d 'Compare the API contracts with this revision (its merge base with HEAD), e.g. `origin/main`, for R0.contracts.breaking. In CI the pull or merge request\'s target branch is used without it' -r
complete -c harden -n "__fish_harden_using_subcommand check" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand check" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand check" -l strict -d 'Fail required gates that were skipped (other than those disabled in the config)'
complete -c harden -n "__fish_harden_using_subcommand check" -s q -l quiet -d 'Show only the gates that failed, and the summary (human format)'
complete -c harden -n "__fish_harden_using_subcommand check" -l exit-zero -d 'Exit 0 even when a gate failed (report-only runs, such as a code-scanning upload step); usage and configuration errors still exit 2'
complete -c harden -n "__fish_harden_using_subcommand check" -l no-record -d 'Do not record the run in the ledger (R2.ledger.intact still verifies it)'
complete -c harden -n "__fish_harden_using_subcommand check" -l live -d 'Let the live gates send requests to the service of `[target]` in harden.toml. Without it they are skipped: a repository\'s config alone never makes harden connect anywhere'
complete -c harden -n "__fish_harden_using_subcommand check" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand probe" -l budget -d 'Most requests to send' -r
complete -c harden -n "__fish_harden_using_subcommand probe" -l rate -d 'Most requests per second' -r
complete -c harden -n "__fish_harden_using_subcommand probe" -l ca-file -d 'PEM file of a private certificate authority to trust (a staging CA), besides the system\'s' -r -F
complete -c harden -n "__fish_harden_using_subcommand probe" -l contract -d 'The service\'s OpenAPI (3.x) or Swagger (2.0) document, a file or a URL on the target (`http://127.0.0.1:8080/openapi.json`): its operations are called by the contract-driven gates (R1.auth.enforced, R1.tenancy.isolation, R5.input.rejected, R6.idempotency) and its plain GETs looked at by the others' -r -F
complete -c harden -n "__fish_harden_using_subcommand probe" -l public -d 'An operation anyone may call (`GET /health`, `/docs*`); repeatable' -r
complete -c harden -n "__fish_harden_using_subcommand probe" -l identity -d 'A caller the gates act as, `NAME=ENV_VAR`, the variable holding one header line (`Authorization: Bearer ...`); the first is A, the second B; repeatable' -r
complete -c harden -n "__fish_harden_using_subcommand probe" -l path-value -d 'Value of a path parameter, `NAME=VALUE` (`id=42`); repeatable' -r
complete -c harden -n "__fish_harden_using_subcommand probe" -l seed -d 'Seed of the generated invalid inputs (R5.input.rejected): the same seed sends the same requests' -r
complete -c harden -n "__fish_harden_using_subcommand probe" -s f -l format -d 'Output format' -r -f -a "human\t''
json\t''
sarif\t''
junit\t''
markdown\t''
github\t'GitHub Actions workflow annotations'
gitlab\t'GitLab code quality report'"
complete -c harden -n "__fish_harden_using_subcommand probe" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand probe" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand probe" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand probe" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand gates" -s f -l format -d 'Output format: human or json' -r -f -a "human\t''
json\t''
sarif\t''
junit\t''
markdown\t''
github\t'GitHub Actions workflow annotations'
gitlab\t'GitLab code quality report'"
complete -c harden -n "__fish_harden_using_subcommand gates" -l repo -d 'Repository root (default: the current directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand gates" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand gates" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand gates" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand gates" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand gates" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand gates" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand gates" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand gates" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand gates" -l checklist -d 'Seed 001\'s four checklists instead: each item\'s class (automatic, drillable, attested), the gates or drill that prove it, and its state from the ledger'
complete -c harden -n "__fish_harden_using_subcommand gates" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand gates" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand explain" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand explain" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand explain" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand explain" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand config; and not __fish_seen_subcommand_from check schema help" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand config; and not __fish_seen_subcommand_from check schema help" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand config; and not __fish_seen_subcommand_from check schema help" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand config; and not __fish_seen_subcommand_from check schema help" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand config; and not __fish_seen_subcommand_from check schema help" -f -a "check" -d 'Validate the config and report every problem with file, line and column (exit 2 if any)'
complete -c harden -n "__fish_harden_using_subcommand config; and not __fish_seen_subcommand_from check schema help" -f -a "schema" -d 'Print the JSON Schema of harden.toml, for editor completion and validation'
complete -c harden -n "__fish_harden_using_subcommand config; and not __fish_seen_subcommand_from check schema help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand config; and __fish_seen_subcommand_from check" -l config -d 'Config file (default: as for `check`)' -r -F
complete -c harden -n "__fish_harden_using_subcommand config; and __fish_seen_subcommand_from check" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand config; and __fish_seen_subcommand_from check" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand config; and __fish_seen_subcommand_from check" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand config; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand config; and __fish_seen_subcommand_from schema" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand config; and __fish_seen_subcommand_from schema" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand config; and __fish_seen_subcommand_from schema" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand config; and __fish_seen_subcommand_from schema" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "check" -d 'Validate the config and report every problem with file, line and column (exit 2 if any)'
complete -c harden -n "__fish_harden_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "schema" -d 'Print the JSON Schema of harden.toml, for editor completion and validation'
complete -c harden -n "__fish_harden_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand ledger; and not __fish_seen_subcommand_from verify root prove check-proof attest head log show export help" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand ledger; and not __fish_seen_subcommand_from verify root prove check-proof attest head log show export help" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand ledger; and not __fish_seen_subcommand_from verify root prove check-proof attest head log show export help" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand ledger; and not __fish_seen_subcommand_from verify root prove check-proof attest head log show export help" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand ledger; and not __fish_seen_subcommand_from verify root prove check-proof attest head log show export help" -f -a "verify" -d 'Recompute the whole hash chain; exit 1 naming the first broken entry if it does not verify'
complete -c harden -n "__fish_harden_using_subcommand ledger; and not __fish_seen_subcommand_from verify root prove check-proof attest head log show export help" -f -a "root" -d 'Print the Merkle tree head of the ledger, `SIZE:ROOT` (RFC 9162 hashing over the entries\' hashes), to keep outside the ledger and prove entries and growth against'
complete -c harden -n "__fish_harden_using_subcommand ledger; and not __fish_seen_subcommand_from verify root prove check-proof attest head log show export help" -f -a "prove" -d 'Write a proof, checkable without the ledger: that one entry is in the ledger (inclusion), or with --from, that the ledger only grew since it had that many entries (consistency)'
complete -c harden -n "__fish_harden_using_subcommand ledger; and not __fish_seen_subcommand_from verify root prove check-proof attest head log show export help" -f -a "check-proof" -d 'Check a proof file `ledger prove` wrote, without the ledger: exit 1 if it does not hold, or if --root is given and the proof is about another tree'
complete -c harden -n "__fish_harden_using_subcommand ledger; and not __fish_seen_subcommand_from verify root prove check-proof attest head log show export help" -f -a "attest" -d 'Write a signed attestation of a recorded run: an in-toto Statement (v1) about the artifact, whose predicate is the run\'s gate results (outcomes and counts, never a finding\'s content), in a DSSE envelope signed with the ledger\'s signing key'
complete -c harden -n "__fish_harden_using_subcommand ledger; and not __fish_seen_subcommand_from verify root prove check-proof attest head log show export help" -f -a "head" -d 'Print the current head, `N:HASH` (entry number and hash), to keep outside the ledger'
complete -c harden -n "__fish_harden_using_subcommand ledger; and not __fish_seen_subcommand_from verify root prove check-proof attest head log show export help" -f -a "log" -d 'List entries, newest first'
complete -c harden -n "__fish_harden_using_subcommand ledger; and not __fish_seen_subcommand_from verify root prove check-proof attest head log show export help" -f -a "show" -d 'Print one entry with its body'
complete -c harden -n "__fish_harden_using_subcommand ledger; and not __fish_seen_subcommand_from verify root prove check-proof attest head log show export help" -f -a "export" -d 'Export every entry with its hashes, so the chain can be verified outside harden'
complete -c harden -n "__fish_harden_using_subcommand ledger; and not __fish_seen_subcommand_from verify root prove check-proof attest head log show export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from verify" -l repo -d 'Repository root whose config and default ledger are used (default: the current directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from verify" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from verify" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from verify" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from verify" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from verify" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from verify" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from verify" -l expect-head -d 'A head recorded earlier (`harden ledger head` prints it: `N:HASH`): exit 1 unless the chain still holds entry N with that hash. A head kept outside the ledger (a CI artifact, a release note, the team server) catches a rewrite of the whole chain' -r
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from verify" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from verify" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from verify" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from root" -l repo -d 'Repository root whose config and default ledger are used (default: the current directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from root" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from root" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from root" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from root" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from root" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from root" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from root" -l size -d 'The tree of the first SIZE entries (default: all of them)' -r
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from root" -s f -l format -d 'Output format: human (`SIZE:ROOT`) or json' -r -f -a "human\t''
json\t''
sarif\t''
junit\t''
markdown\t''
github\t'GitHub Actions workflow annotations'
gitlab\t'GitLab code quality report'"
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from root" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from root" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from root" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from root" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from prove" -l repo -d 'Repository root whose config and default ledger are used (default: the current directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from prove" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from prove" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from prove" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from prove" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from prove" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from prove" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from prove" -l from -d 'Prove the ledger of this many entries is a prefix of the ledger at --size' -r
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from prove" -l size -d 'The tree to prove against: the first SIZE entries (default: all of them)' -r
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from prove" -s o -l output -d 'Write to this file instead of stdout' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from prove" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from prove" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from prove" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from prove" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from check-proof" -l root -d 'A tree head kept elsewhere (`SIZE:ROOT`, as `ledger root` prints it) the proof must be about: the tree of an inclusion proof, either tree of a consistency proof' -r
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from check-proof" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from check-proof" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from check-proof" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from check-proof" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from attest" -l repo -d 'Repository root whose config and default ledger are used (default: the current directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from attest" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from attest" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from attest" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from attest" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from attest" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from attest" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from attest" -l subject -d 'The artifact the run vouches for, by digest (repeat for several)' -r
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from attest" -l subject-name -d 'The artifact\'s name in the statement (default `_`: none that matters)' -r
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from attest" -s o -l output -d 'Write to this file instead of stdout' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from attest" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from attest" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from attest" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from attest" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from head" -l repo -d 'Repository root whose config and default ledger are used (default: the current directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from head" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from head" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from head" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from head" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from head" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from head" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from head" -s f -l format -d 'Output format: human (`N:HASH`) or json' -r -f -a "human\t''
json\t''
sarif\t''
junit\t''
markdown\t''
github\t'GitHub Actions workflow annotations'
gitlab\t'GitLab code quality report'"
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from head" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from head" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from head" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from head" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from log" -l repo -d 'Repository root whose config and default ledger are used (default: the current directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from log" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from log" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from log" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from log" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from log" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from log" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from log" -s n -l limit -d 'How many entries' -r
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from log" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from log" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from log" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from log" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from show" -l repo -d 'Repository root whose config and default ledger are used (default: the current directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from show" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from show" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from show" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from show" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from show" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from show" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from show" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from show" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from export" -l repo -d 'Repository root whose config and default ledger are used (default: the current directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from export" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from export" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from export" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from export" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from export" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from export" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from export" -l format -d 'Export format' -r -f -a "jsonl\t'One JSON object per line: seq, kind, recorded_at, prev_hash, hash, body'"
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from export" -s o -l output -d 'Write to this file instead of stdout' -r -F
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from export" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from export" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from export" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Recompute the whole hash chain; exit 1 naming the first broken entry if it does not verify'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "root" -d 'Print the Merkle tree head of the ledger, `SIZE:ROOT` (RFC 9162 hashing over the entries\' hashes), to keep outside the ledger and prove entries and growth against'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "prove" -d 'Write a proof, checkable without the ledger: that one entry is in the ledger (inclusion), or with --from, that the ledger only grew since it had that many entries (consistency)'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "check-proof" -d 'Check a proof file `ledger prove` wrote, without the ledger: exit 1 if it does not hold, or if --root is given and the proof is about another tree'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "attest" -d 'Write a signed attestation of a recorded run: an in-toto Statement (v1) about the artifact, whose predicate is the run\'s gate results (outcomes and counts, never a finding\'s content), in a DSSE envelope signed with the ledger\'s signing key'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "head" -d 'Print the current head, `N:HASH` (entry number and hash), to keep outside the ledger'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "log" -d 'List entries, newest first'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print one entry with its body'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "export" -d 'Export every entry with its hashes, so the chain can be verified outside harden'
complete -c harden -n "__fish_harden_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand smoke; and not __fish_seen_subcommand_from record streak help" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand smoke; and not __fish_seen_subcommand_from record streak help" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand smoke; and not __fish_seen_subcommand_from record streak help" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand smoke; and not __fish_seen_subcommand_from record streak help" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand smoke; and not __fish_seen_subcommand_from record streak help" -f -a "record" -d 'Run the strict gate set (`[smoke] strict-gates`, default the whole profile) under --strict, append a row to docs/audits/production-hardening-smoke-window-YYYY-MM.md and an entry to the ledger. Exit 1 if the record fails'
complete -c harden -n "__fish_harden_using_subcommand smoke; and not __fish_seen_subcommand_from record streak help" -f -a "streak" -d 'Print the current consecutive-day strict-pass streak (days in `[smoke] timezone`, else UTC; a day passes only if all its records pass; a day without a record breaks it)'
complete -c harden -n "__fish_harden_using_subcommand smoke; and not __fish_seen_subcommand_from record streak help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from record" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from record" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from record" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from record" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from record" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from record" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from record" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from record" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from record" -l checks -d 'Also run the `[[preflight]]` commands; the record passes only if they pass too'
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from record" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from record" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from streak" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from streak" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from streak" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from streak" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from streak" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from streak" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from streak" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from streak" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from streak" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from streak" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from help" -f -a "record" -d 'Run the strict gate set (`[smoke] strict-gates`, default the whole profile) under --strict, append a row to docs/audits/production-hardening-smoke-window-YYYY-MM.md and an entry to the ledger. Exit 1 if the record fails'
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from help" -f -a "streak" -d 'Print the current consecutive-day strict-pass streak (days in `[smoke] timezone`, else UTC; a day passes only if all its records pass; a day without a record breaks it)'
complete -c harden -n "__fish_harden_using_subcommand smoke; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand attest" -l repo -d 'Repository root (default: the current directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand attest" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand attest" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand attest" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand attest" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand attest" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand attest" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand attest" -l evidence -d 'The evidence: a file (recorded by its SHA-256) or an http(s) URL' -r
complete -c harden -n "__fish_harden_using_subcommand attest" -l by -d 'Who vouches for it' -r
complete -c harden -n "__fish_harden_using_subcommand attest" -l expires -d 'How long the attestation holds' -r
complete -c harden -n "__fish_harden_using_subcommand attest" -l note -d 'A note kept with it' -r
complete -c harden -n "__fish_harden_using_subcommand attest" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand attest" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand attest" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand attest" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand drill; and not __fish_seen_subcommand_from run list help" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand drill; and not __fish_seen_subcommand_from run list help" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand drill; and not __fish_seen_subcommand_from run list help" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand drill; and not __fish_seen_subcommand_from run list help" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand drill; and not __fish_seen_subcommand_from run list help" -f -a "run" -d 'Run one drill: its command in its own process group, killed with its children at the timeout; its output\'s tail kept, redacted; the result recorded in the ledger. Exit 1 if it fails'
complete -c harden -n "__fish_harden_using_subcommand drill; and not __fish_seen_subcommand_from run list help" -f -a "list" -d 'Every drill with its last recorded result, and whether it is due'
complete -c harden -n "__fish_harden_using_subcommand drill; and not __fish_seen_subcommand_from run list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from run" -l repo -d 'Repository root (default: the current directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from run" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from run" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from run" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from run" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from run" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from run" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from run" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from run" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from run" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from list" -l repo -d 'Repository root (default: the current directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from list" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from list" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from list" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from list" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from list" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from list" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from list" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from list" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from help" -f -a "run" -d 'Run one drill: its command in its own process group, killed with its children at the timeout; its output\'s tail kept, redacted; the result recorded in the ledger. Exit 1 if it fails'
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from help" -f -a "list" -d 'Every drill with its last recorded result, and whether it is due'
complete -c harden -n "__fish_harden_using_subcommand drill; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand exit-criteria" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand exit-criteria" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand exit-criteria" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand exit-criteria" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand exit-criteria" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand exit-criteria" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand exit-criteria" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand exit-criteria" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand exit-criteria" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand exit-criteria" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand promote; and not __fish_seen_subcommand_from check help" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand promote; and not __fish_seen_subcommand_from check help" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand promote; and not __fish_seen_subcommand_from check help" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand promote; and not __fish_seen_subcommand_from check help" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand promote; and not __fish_seen_subcommand_from check help" -f -a "check" -d 'Pass only if the ledger holds a green run of the profile for exactly this commit, on a clean tree, within --max-age, and for --artifact when given. Names the proving run'
complete -c harden -n "__fish_harden_using_subcommand promote; and not __fish_seen_subcommand_from check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand promote; and __fish_seen_subcommand_from check" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand promote; and __fish_seen_subcommand_from check" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand promote; and __fish_seen_subcommand_from check" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand promote; and __fish_seen_subcommand_from check" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand promote; and __fish_seen_subcommand_from check" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand promote; and __fish_seen_subcommand_from check" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand promote; and __fish_seen_subcommand_from check" -l commit -d 'The commit to promote (full id, or a unique prefix of at least 7 hex digits)' -r
complete -c harden -n "__fish_harden_using_subcommand promote; and __fish_seen_subcommand_from check" -l profile -d 'Required profile' -r
complete -c harden -n "__fish_harden_using_subcommand promote; and __fish_seen_subcommand_from check" -l max-age -d 'Oldest acceptable run, e.g. 24h, 7d' -r
complete -c harden -n "__fish_harden_using_subcommand promote; and __fish_seen_subcommand_from check" -l artifact -d 'Artefact digest the run must vouch for (`harden check --artifact`)' -r
complete -c harden -n "__fish_harden_using_subcommand promote; and __fish_seen_subcommand_from check" -l attestation -d 'Decide from this attestation (`harden ledger attest`) instead of the local ledger: its signature must verify with --public-key, and the run it carries must qualify' -r -F
complete -c harden -n "__fish_harden_using_subcommand promote; and __fish_seen_subcommand_from check" -s f -l format -d 'Output format: human or json' -r -f -a "human\t''
json\t''
sarif\t''
junit\t''
markdown\t''
github\t'GitHub Actions workflow annotations'
gitlab\t'GitLab code quality report'"
complete -c harden -n "__fish_harden_using_subcommand promote; and __fish_seen_subcommand_from check" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand promote; and __fish_seen_subcommand_from check" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand promote; and __fish_seen_subcommand_from check" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand promote; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand promote; and __fish_seen_subcommand_from help" -f -a "check" -d 'Pass only if the ledger holds a green run of the profile for exactly this commit, on a clean tree, within --max-age, and for --artifact when given. Names the proving run'
complete -c harden -n "__fish_harden_using_subcommand promote; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand plan; and not __fish_seen_subcommand_from new from-findings list show verify close help" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand plan; and not __fish_seen_subcommand_from new from-findings list show verify close help" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand plan; and not __fish_seen_subcommand_from new from-findings list show verify close help" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand plan; and not __fish_seen_subcommand_from new from-findings list show verify close help" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand plan; and not __fish_seen_subcommand_from new from-findings list show verify close help" -f -a "new" -d 'Create docs/hardening/<id>.toml from a template'
complete -c harden -n "__fish_harden_using_subcommand plan; and not __fish_seen_subcommand_from new from-findings list show verify close help" -f -a "from-findings" -d 'Create docs/hardening/<id>.toml from the failing gates of the last recorded run: one action per gate, verified by that gate, with its findings as references'
complete -c harden -n "__fish_harden_using_subcommand plan; and not __fish_seen_subcommand_from new from-findings list show verify close help" -f -a "list" -d 'List plans with their state'
complete -c harden -n "__fish_harden_using_subcommand plan; and not __fish_seen_subcommand_from new from-findings list show verify close help" -f -a "show" -d 'Show one plan'
complete -c harden -n "__fish_harden_using_subcommand plan; and not __fish_seen_subcommand_from new from-findings list show verify close help" -f -a "verify" -d 'Run the gates the plan\'s actions map to and record the result in the ledger'
complete -c harden -n "__fish_harden_using_subcommand plan; and not __fish_seen_subcommand_from new from-findings list show verify close help" -f -a "close" -d 'Close a plan. `completed` is refused until every action\'s gates pass; `blocked` and `aborted` need --reason and --residual-risk. Every state change is a ledger entry'
complete -c harden -n "__fish_harden_using_subcommand plan; and not __fish_seen_subcommand_from new from-findings list show verify close help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from new" -l repo -d 'Repository root (default: the current directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from new" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from new" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from new" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from new" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from new" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from new" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from new" -l title -d 'Title' -r
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from new" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from new" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from new" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from new" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from from-findings" -l repo -d 'Repository root (default: the current directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from from-findings" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from from-findings" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from from-findings" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from from-findings" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from from-findings" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from from-findings" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from from-findings" -l gate -d 'Only gates matching these patterns (`R4.*`, `R3.secrets.tree`)' -r
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from from-findings" -l title -d 'Title (default: says which run it comes from)' -r
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from from-findings" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from from-findings" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from from-findings" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from from-findings" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from list" -l repo -d 'Repository root (default: the current directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from list" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from list" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from list" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from list" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from list" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from list" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from list" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from list" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from show" -l repo -d 'Repository root (default: the current directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from show" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from show" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from show" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from show" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from show" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from show" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from show" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from show" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from verify" -l repo -d 'Repository root (default: the current directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from verify" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from verify" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from verify" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from verify" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from verify" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from verify" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from verify" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from verify" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from verify" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from close" -l repo -d 'Repository root (default: the current directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from close" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from close" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from close" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from close" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from close" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from close" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from close" -l state -d 'Exit state' -r -f -a "completed\t''
blocked\t''
aborted\t''"
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from close" -l reason -d 'Why (required for blocked and aborted)' -r
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from close" -l residual-risk -d 'Risk that remains (required for blocked and aborted)' -r
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from close" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from close" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from close" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from close" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "new" -d 'Create docs/hardening/<id>.toml from a template'
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "from-findings" -d 'Create docs/hardening/<id>.toml from the failing gates of the last recorded run: one action per gate, verified by that gate, with its findings as references'
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "list" -d 'List plans with their state'
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one plan'
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Run the gates the plan\'s actions map to and record the result in the ledger'
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "close" -d 'Close a plan. `completed` is refused until every action\'s gates pass; `blocked` and `aborted` need --reason and --residual-risk. Every state change is a ledger entry'
complete -c harden -n "__fish_harden_using_subcommand plan; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand readiness" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand readiness" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand readiness" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand readiness" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand readiness" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand readiness" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand readiness" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand readiness" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand readiness" -l checks -d 'Also run the `[[preflight]]` commands and include their results'
complete -c harden -n "__fish_harden_using_subcommand readiness" -l json -d 'Print the snapshot as JSON instead of writing the Markdown file'
complete -c harden -n "__fish_harden_using_subcommand readiness" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand readiness" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand secrets; and not __fish_seen_subcommand_from scan baseline rules help" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand secrets; and not __fish_seen_subcommand_from scan baseline rules help" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand secrets; and not __fish_seen_subcommand_from scan baseline rules help" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand secrets; and not __fish_seen_subcommand_from scan baseline rules help" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand secrets; and not __fish_seen_subcommand_from scan baseline rules help" -f -a "scan" -d 'Scan a directory (default `.`), a file, or `-` for standard input. Exit 1 if a secret is found, 0 if none; nothing is recorded in the ledger'
complete -c harden -n "__fish_harden_using_subcommand secrets; and not __fish_seen_subcommand_from scan baseline rules help" -f -a "baseline" -d 'Record the fingerprints of the secrets found now (never their values) so that later scans and the R3.secrets gates report only new ones'
complete -c harden -n "__fish_harden_using_subcommand secrets; and not __fish_seen_subcommand_from scan baseline rules help" -f -a "rules" -d 'List the built-in rules (id and what each finds) and any from `[[secrets.rule]]`'
complete -c harden -n "__fish_harden_using_subcommand secrets; and not __fish_seen_subcommand_from scan baseline rules help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from scan" -l since -d 'With --history: only commits not reachable from this revision (e.g. origin/main)' -r
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from scan" -l config -d 'Config file for `[secrets]` rules and allowlists (default: harden.toml in PATH, if any)' -r -F
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from scan" -s f -l format -d 'Output format' -r -f -a "human\t''
json\t''
sarif\t''
junit\t''
markdown\t''
github\t'GitHub Actions workflow annotations'
gitlab\t'GitLab code quality report'"
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from scan" -s o -l output -d 'Write the report (or the baseline) to this file instead of stdout (the baseline\'s default is `[secrets] baseline` or .harden-secrets-baseline.json in PATH)' -r -F
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from scan" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from scan" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from scan" -l history -d 'Also scan every blob of the git history (each once), naming the introducing commit'
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from scan" -l staged -d 'Scan only what is staged in the git index (for a pre-commit hook)'
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from scan" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from scan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from baseline" -l since -d 'With --history: only commits not reachable from this revision (e.g. origin/main)' -r
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from baseline" -l config -d 'Config file for `[secrets]` rules and allowlists (default: harden.toml in PATH, if any)' -r -F
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from baseline" -s f -l format -d 'Output format' -r -f -a "human\t''
json\t''
sarif\t''
junit\t''
markdown\t''
github\t'GitHub Actions workflow annotations'
gitlab\t'GitLab code quality report'"
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from baseline" -s o -l output -d 'Write the report (or the baseline) to this file instead of stdout (the baseline\'s default is `[secrets] baseline` or .harden-secrets-baseline.json in PATH)' -r -F
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from baseline" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from baseline" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from baseline" -l history -d 'Also scan every blob of the git history (each once), naming the introducing commit'
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from baseline" -l staged -d 'Scan only what is staged in the git index (for a pre-commit hook)'
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from baseline" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from baseline" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from rules" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from rules" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from rules" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from rules" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "scan" -d 'Scan a directory (default `.`), a file, or `-` for standard input. Exit 1 if a secret is found, 0 if none; nothing is recorded in the ledger'
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "baseline" -d 'Record the fingerprints of the secrets found now (never their values) so that later scans and the R3.secrets gates report only new ones'
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "rules" -d 'List the built-in rules (id and what each finds) and any from `[[secrets.rule]]`'
complete -c harden -n "__fish_harden_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand db; and not __fish_seen_subcommand_from import status help" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand db; and not __fish_seen_subcommand_from import status help" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand db; and not __fish_seen_subcommand_from import status help" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand db; and not __fish_seen_subcommand_from import status help" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand db; and not __fish_seen_subcommand_from import status help" -f -a "import" -d 'Import advisories: directories of OSV JSON, OSV\'s per-ecosystem all.zip archives, and RustSec\'s advisory-db (crates/<name>/RUSTSEC-*.md). Everything is read before anything is written: a bad record is reported with its file, line and column (exit 2) and the database stays as it was. Importing the same data again changes nothing; newer and withdrawn records replace older ones'
complete -c harden -n "__fish_harden_using_subcommand db; and not __fish_seen_subcommand_from import status help" -f -a "status" -d 'Records per ecosystem, how current they are, and when they were imported'
complete -c harden -n "__fish_harden_using_subcommand db; and not __fish_seen_subcommand_from import status help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand db; and __fish_seen_subcommand_from import" -l repo -d 'Repository whose .harden/advisories.db is meant (default: the current directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand db; and __fish_seen_subcommand_from import" -l advisory-db -d 'The database file instead ($HARDEN_ADVISORY_DB): one database shared by many repositories' -r -F
complete -c harden -n "__fish_harden_using_subcommand db; and __fish_seen_subcommand_from import" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand db; and __fish_seen_subcommand_from import" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand db; and __fish_seen_subcommand_from import" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand db; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand db; and __fish_seen_subcommand_from status" -l repo -d 'Repository whose .harden/advisories.db is meant (default: the current directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand db; and __fish_seen_subcommand_from status" -l advisory-db -d 'The database file instead ($HARDEN_ADVISORY_DB): one database shared by many repositories' -r -F
complete -c harden -n "__fish_harden_using_subcommand db; and __fish_seen_subcommand_from status" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand db; and __fish_seen_subcommand_from status" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand db; and __fish_seen_subcommand_from status" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand db; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand db; and __fish_seen_subcommand_from help" -f -a "import" -d 'Import advisories: directories of OSV JSON, OSV\'s per-ecosystem all.zip archives, and RustSec\'s advisory-db (crates/<name>/RUSTSEC-*.md). Everything is read before anything is written: a bad record is reported with its file, line and column (exit 2) and the database stays as it was. Importing the same data again changes nothing; newer and withdrawn records replace older ones'
complete -c harden -n "__fish_harden_using_subcommand db; and __fish_seen_subcommand_from help" -f -a "status" -d 'Records per ecosystem, how current they are, and when they were imported'
complete -c harden -n "__fish_harden_using_subcommand db; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand sbom" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand sbom" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand sbom" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand sbom" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand sbom" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand sbom" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand sbom" -l format -d 'Document format' -r -f -a "cyclonedx-json\t'CycloneDX 1.6 JSON'
spdx-json\t'SPDX 2.3 JSON'"
complete -c harden -n "__fish_harden_using_subcommand sbom" -s o -l output -d 'Write to this file instead of stdout' -r -F
complete -c harden -n "__fish_harden_using_subcommand sbom" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand sbom" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand sbom" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand sbom" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand scaffold" -l repo -d 'Repository root (default: the current directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand scaffold" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand scaffold" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand scaffold" -l force -d 'Overwrite documents that exist'
complete -c harden -n "__fish_harden_using_subcommand scaffold" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand scaffold" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand waivers; and not __fish_seen_subcommand_from import help" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand waivers; and not __fish_seen_subcommand_from import help" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand waivers; and not __fish_seen_subcommand_from import help" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand waivers; and not __fish_seen_subcommand_from import help" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand waivers; and not __fish_seen_subcommand_from import help" -f -a "import" -d 'Turn other tools\' suppressions into harden waivers: `gitleaks:allow` comments, `.gitleaksignore`, a gitleaks baseline report, `# zizmor: ignore[...]` comments and the ignore lists of zizmor.yml. Runs the matching gates and waives, by fingerprint, each finding the other tool had been told to accept, with a reason naming where it came from and the owner and expiry given here: a team switches without ignoring everything or failing on day one. Prints the `[[waiver]]` tables (or appends them with --append); suppressions that match no harden finding are listed on stderr'
complete -c harden -n "__fish_harden_using_subcommand waivers; and not __fish_seen_subcommand_from import help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand waivers; and __fish_seen_subcommand_from import" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand waivers; and __fish_seen_subcommand_from import" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand waivers; and __fish_seen_subcommand_from import" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand waivers; and __fish_seen_subcommand_from import" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand waivers; and __fish_seen_subcommand_from import" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand waivers; and __fish_seen_subcommand_from import" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand waivers; and __fish_seen_subcommand_from import" -l owner -d 'Who answers for the imported waivers' -r
complete -c harden -n "__fish_harden_using_subcommand waivers; and __fish_seen_subcommand_from import" -l expires -d 'When they expire (YYYY-MM-DD): imported acceptances are reviewed again by then' -r
complete -c harden -n "__fish_harden_using_subcommand waivers; and __fish_seen_subcommand_from import" -l reference -d 'Ticket or document the import is tracked in (default: "imported from TOOL")' -r
complete -c harden -n "__fish_harden_using_subcommand waivers; and __fish_seen_subcommand_from import" -l gitleaks-baseline -d 'A gitleaks baseline (its JSON report) whose findings were accepted' -r -F
complete -c harden -n "__fish_harden_using_subcommand waivers; and __fish_seen_subcommand_from import" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand waivers; and __fish_seen_subcommand_from import" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand waivers; and __fish_seen_subcommand_from import" -l append -d 'Append the waivers to the config file instead of printing them'
complete -c harden -n "__fish_harden_using_subcommand waivers; and __fish_seen_subcommand_from import" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand waivers; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand waivers; and __fish_seen_subcommand_from help" -f -a "import" -d 'Turn other tools\' suppressions into harden waivers: `gitleaks:allow` comments, `.gitleaksignore`, a gitleaks baseline report, `# zizmor: ignore[...]` comments and the ignore lists of zizmor.yml. Runs the matching gates and waives, by fingerprint, each finding the other tool had been told to accept, with a reason naming where it came from and the owner and expiry given here: a team switches without ignoring everything or failing on day one. Prints the `[[waiver]]` tables (or appends them with --append); suppressions that match no harden finding are listed on stderr'
complete -c harden -n "__fish_harden_using_subcommand waivers; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand serve; and not __fish_seen_subcommand_from token help" -l database -d 'PostgreSQL URL (`postgres://user:***@host/db?sslmode=verify-full&sslrootcert=ca.pem`)' -r
complete -c harden -n "__fish_harden_using_subcommand serve; and not __fish_seen_subcommand_from token help" -l listen -d 'Address to listen on' -r
complete -c harden -n "__fish_harden_using_subcommand serve; and not __fish_seen_subcommand_from token help" -l pool-size -d 'Connections each instance keeps to the database at most' -r
complete -c harden -n "__fish_harden_using_subcommand serve; and not __fish_seen_subcommand_from token help" -l rate-limit -d 'Requests per second one token may send to one instance (bursts of twice that); anonymous clients get 10 per address' -r
complete -c harden -n "__fish_harden_using_subcommand serve; and not __fish_seen_subcommand_from token help" -l client-ip-header -d 'Behind a load balancer: the header it writes the client\'s address into (`X-Forwarded-For`), so limits count clients, not the balancer. Only with a balancer that overwrites or appends it: clients can send it too' -r
complete -c harden -n "__fish_harden_using_subcommand serve; and not __fish_seen_subcommand_from token help" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand serve; and not __fish_seen_subcommand_from token help" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand serve; and not __fish_seen_subcommand_from token help" -l migrate -d 'Apply the server\'s schema migrations before serving (safe to run from every instance: they take an advisory lock)'
complete -c harden -n "__fish_harden_using_subcommand serve; and not __fish_seen_subcommand_from token help" -l insecure-cookies -d 'Session cookies without `Secure` and the `__Host-` prefix, for a dashboard served over plain HTTP to a browser on another host. Never in production'
complete -c harden -n "__fish_harden_using_subcommand serve; and not __fish_seen_subcommand_from token help" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand serve; and not __fish_seen_subcommand_from token help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand serve; and not __fish_seen_subcommand_from token help" -f -a "token" -d 'Tokens for pushing and reading'
complete -c harden -n "__fish_harden_using_subcommand serve; and not __fish_seen_subcommand_from token help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand serve; and __fish_seen_subcommand_from token" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand serve; and __fish_seen_subcommand_from token" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand serve; and __fish_seen_subcommand_from token" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand serve; and __fish_seen_subcommand_from token" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand serve; and __fish_seen_subcommand_from token" -f -a "create" -d 'Create a token and print it (it is stored hashed and cannot be shown again). With --project, a token that pushes to that project and reads its organisation; without, one that reads the whole organisation (for the dashboard). The organisation and project are created if needed'
complete -c harden -n "__fish_harden_using_subcommand serve; and __fish_seen_subcommand_from token" -f -a "list" -d 'List an organisation\'s tokens: id, project, first characters, when made and revoked'
complete -c harden -n "__fish_harden_using_subcommand serve; and __fish_seen_subcommand_from token" -f -a "revoke" -d 'Revoke a token by the id `token list` shows; its dashboard sessions end with it'
complete -c harden -n "__fish_harden_using_subcommand serve; and __fish_seen_subcommand_from token" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand serve; and __fish_seen_subcommand_from help" -f -a "token" -d 'Tokens for pushing and reading'
complete -c harden -n "__fish_harden_using_subcommand serve; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand push" -l repo -d 'Repository root whose ledger is pushed (default: the current directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand push" -l config -d 'Config file. Default: $HARDEN_CONFIG, else harden.toml at the repository root, else the built-in defaults of the production profile' -r -F
complete -c harden -n "__fish_harden_using_subcommand push" -l ledger -d 'Ledger: a SQLite file path or a postgres:// URL. Default: [ledger] url in the config, else .harden/ledger.db under the repository root' -r
complete -c harden -n "__fish_harden_using_subcommand push" -l ledger-anchor -d 'File that keeps the ledger\'s head outside the ledger (in CI, where the checkout is thrown away). Default: the git ref refs/harden/ledgers/<ledger> of the repository' -r -F
complete -c harden -n "__fish_harden_using_subcommand push" -l advisory-db -d 'Advisory database (R4.vulns), as `harden db import` writes it. Default: .harden/advisories.db under the repository root' -r -F
complete -c harden -n "__fish_harden_using_subcommand push" -l signing-key -d 'Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it) that signs the head of every entry appended. Never in harden.toml. The PEM itself may be given in $HARDEN_SIGNING_KEY instead (a CI secret)' -r -F
complete -c harden -n "__fish_harden_using_subcommand push" -l public-key -d 'Ed25519 public key (PEM, as `openssl pkey -pubout` writes it) that `ledger verify` checks the heads\' signatures with. Default: the signing key\'s own' -r -F
complete -c harden -n "__fish_harden_using_subcommand push" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand push" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand push" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand push" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand completions" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand completions" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand completions" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand man" -l out -d 'Directory to write the pages into (created if needed)' -r -F
complete -c harden -n "__fish_harden_using_subcommand man" -l log-format -d 'Log format on stderr: `text` for people, `json` for log pipelines (one object per line, each carrying the run id as `run_id`)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand man" -l color -d 'When to colour terminal output. `auto` honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand man" -s v -l verbose -d 'More log output (-v info, -vv debug). `HARDEN_LOG` takes a full filter instead'
complete -c harden -n "__fish_harden_using_subcommand man" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "init" -d 'Look at a repository and write a commented harden.toml for it'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "check" -d 'Run the gates of a profile over a repository and record the run in the ledger'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "probe" -d 'Run the live gates against a running service, with no config and nothing recorded'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "gates" -d 'List every gate: id, round, default severity, profile and title'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "explain" -d 'Explain a gate (what it checks, why it matters, how to fix a failure, what it records) or a secret rule a finding names (what it matches and how to silence a false positive)'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "config" -d 'Validate harden.toml or print its JSON Schema'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "ledger" -d 'Inspect and verify the evidence ledger'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "smoke" -d 'Record and inspect the daily smoke window of a rollout'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "attest" -d 'Record that a person vouches for a checklist item no scanner can prove (a penetration test, a trained team, a status page): who, when, the evidence (a file\'s digest, or a URL), and until when. `harden gates --checklist` shows it, and when it expires'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "drill" -d 'Drills: the `[[drill]]` commands that prove checklist items (a backup restored, a failover, a load test), run and recorded in the ledger as the item\'s evidence'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "exit-criteria" -d 'Decide whether the rollout may exit: every configured criterion with its evidence'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "promote" -d 'Promotion checks by commit'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "plan" -d 'Hardening procedures: objective, scope, references, actions mapped to verifying gates'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "readiness" -d 'Write the rollout readiness snapshot of today'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "secrets" -d 'Scan for secrets directly: any directory (git or not, with or without harden.toml), standard input, staged changes or the full history'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "db" -d 'The local advisory database that R4.vulns matches locked packages against, offline'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "sbom" -d 'Write the software bill of materials of a repository: every package its lockfiles lock'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "scaffold" -d 'Write the documents a launch needs, with every team-specific answer left as a `TODO(harden):` marker: incident response (severities P0-P3, response per severity, escalation, communication and post-mortem templates), runbooks (disaster recovery, migration recovery, on-call with a first look per alert, database, high traffic, third-party outages, deployment failures, security incidents), observability, and the security audit. Existing files are kept unless --force. R7.runbooks fails while a marker remains in a runbook'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "waivers" -d 'Waivers: bring in the suppressions a team already keeps for other tools'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "serve" -d 'Run the team server: many repositories\' runs on one PostgreSQL database, an API under /api/v1 and a dashboard'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "push" -d 'Send the entries of the local ledger (runs, smoke records, readiness snapshots, plan states) to a team server, into the project of the token in HARDEN_TOKEN'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "completions" -d 'Print the shell completion script for SHELL (bash, zsh, fish, elvish, powershell)'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "man" -d 'Write the manual pages: `harden.1` and one page per command (`harden-check.1`), into DIR'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from init check probe gates explain config ledger smoke attest drill exit-criteria promote plan readiness secrets db sbom scaffold waivers serve push completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "check" -d 'Validate the config and report every problem with file, line and column (exit 2 if any)'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "schema" -d 'Print the JSON Schema of harden.toml, for editor completion and validation'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from ledger" -f -a "verify" -d 'Recompute the whole hash chain; exit 1 naming the first broken entry if it does not verify'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from ledger" -f -a "root" -d 'Print the Merkle tree head of the ledger, `SIZE:ROOT` (RFC 9162 hashing over the entries\' hashes), to keep outside the ledger and prove entries and growth against'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from ledger" -f -a "prove" -d 'Write a proof, checkable without the ledger: that one entry is in the ledger (inclusion), or with --from, that the ledger only grew since it had that many entries (consistency)'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from ledger" -f -a "check-proof" -d 'Check a proof file `ledger prove` wrote, without the ledger: exit 1 if it does not hold, or if --root is given and the proof is about another tree'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from ledger" -f -a "attest" -d 'Write a signed attestation of a recorded run: an in-toto Statement (v1) about the artifact, whose predicate is the run\'s gate results (outcomes and counts, never a finding\'s content), in a DSSE envelope signed with the ledger\'s signing key'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from ledger" -f -a "head" -d 'Print the current head, `N:HASH` (entry number and hash), to keep outside the ledger'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from ledger" -f -a "log" -d 'List entries, newest first'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from ledger" -f -a "show" -d 'Print one entry with its body'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from ledger" -f -a "export" -d 'Export every entry with its hashes, so the chain can be verified outside harden'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from smoke" -f -a "record" -d 'Run the strict gate set (`[smoke] strict-gates`, default the whole profile) under --strict, append a row to docs/audits/production-hardening-smoke-window-YYYY-MM.md and an entry to the ledger. Exit 1 if the record fails'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from smoke" -f -a "streak" -d 'Print the current consecutive-day strict-pass streak (days in `[smoke] timezone`, else UTC; a day passes only if all its records pass; a day without a record breaks it)'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from drill" -f -a "run" -d 'Run one drill: its command in its own process group, killed with its children at the timeout; its output\'s tail kept, redacted; the result recorded in the ledger. Exit 1 if it fails'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from drill" -f -a "list" -d 'Every drill with its last recorded result, and whether it is due'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from promote" -f -a "check" -d 'Pass only if the ledger holds a green run of the profile for exactly this commit, on a clean tree, within --max-age, and for --artifact when given. Names the proving run'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from plan" -f -a "new" -d 'Create docs/hardening/<id>.toml from a template'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from plan" -f -a "from-findings" -d 'Create docs/hardening/<id>.toml from the failing gates of the last recorded run: one action per gate, verified by that gate, with its findings as references'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from plan" -f -a "list" -d 'List plans with their state'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from plan" -f -a "show" -d 'Show one plan'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from plan" -f -a "verify" -d 'Run the gates the plan\'s actions map to and record the result in the ledger'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from plan" -f -a "close" -d 'Close a plan. `completed` is refused until every action\'s gates pass; `blocked` and `aborted` need --reason and --residual-risk. Every state change is a ledger entry'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from secrets" -f -a "scan" -d 'Scan a directory (default `.`), a file, or `-` for standard input. Exit 1 if a secret is found, 0 if none; nothing is recorded in the ledger'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from secrets" -f -a "baseline" -d 'Record the fingerprints of the secrets found now (never their values) so that later scans and the R3.secrets gates report only new ones'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from secrets" -f -a "rules" -d 'List the built-in rules (id and what each finds) and any from `[[secrets.rule]]`'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from db" -f -a "import" -d 'Import advisories: directories of OSV JSON, OSV\'s per-ecosystem all.zip archives, and RustSec\'s advisory-db (crates/<name>/RUSTSEC-*.md). Everything is read before anything is written: a bad record is reported with its file, line and column (exit 2) and the database stays as it was. Importing the same data again changes nothing; newer and withdrawn records replace older ones'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from db" -f -a "status" -d 'Records per ecosystem, how current they are, and when they were imported'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from waivers" -f -a "import" -d 'Turn other tools\' suppressions into harden waivers: `gitleaks:allow` comments, `.gitleaksignore`, a gitleaks baseline report, `# zizmor: ignore[...]` comments and the ignore lists of zizmor.yml. Runs the matching gates and waives, by fingerprint, each finding the other tool had been told to accept, with a reason naming where it came from and the owner and expiry given here: a team switches without ignoring everything or failing on day one. Prints the `[[waiver]]` tables (or appends them with --append); suppressions that match no harden finding are listed on stderr'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from serve" -f -a "token" -d 'Tokens for pushing and reading'
