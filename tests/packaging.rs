//! The Debian package's files agree with each other and with the reference configuration:
//! `packaging/draftwatch.toml` (installed as /etc/draftwatch/draftwatch.toml) is
//! `config/draftwatch.toml` with absolute install paths and nothing else changed, and the
//! systemd unit runs the binary and config where `[package.metadata.deb]` puts them.
//! CI's package step (`.ci/run`) then checks the installed result for real.

use std::collections::BTreeMap;
use std::path::Path;

use draftwatch::config::Config;

/// The settings whose value the packaged config changes, by `[table] key`, with the value it
/// must have: config where the package installs it, state in the unit's StateDirectory.
const INSTALL_PATHS: [(&str, &str); 4] = [
    ("watchlists_dir", "/etc/draftwatch/watchlists"),
    ("[store] path", "/var/lib/draftwatch/draftwatch.sqlite3"),
    ("[mail.file] dir", "/var/lib/draftwatch/outbox"),
    ("[digest] calendar_dir", "/var/lib/draftwatch/calendars"),
];

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The setting a line assigns, as `[table] key` (or `key` before the first table), with its
/// value as written; `None` for comments, blank lines and table headers.
fn assignment<'a>(table: &str, line: &'a str) -> Option<(String, &'a str)> {
    let trimmed = line.trim();
    if trimmed.starts_with('#') || trimmed.starts_with('[') {
        return None;
    }
    let (key, value) = trimmed.split_once('=')?;
    let key = key.trim();
    let qualified = if table.is_empty() {
        key.to_owned()
    } else {
        format!("{table} {key}")
    };
    Some((qualified, value.trim()))
}

/// Every line that differs between the two configs, as the setting it assigns mapped to the
/// packaged value; panics on a differing line that is not an assignment.
fn differing_settings(reference: &str, packaged: &str) -> BTreeMap<String, String> {
    let reference_lines: Vec<&str> = reference.lines().collect();
    let packaged_lines: Vec<&str> = packaged.lines().collect();
    assert_eq!(
        reference_lines.len(),
        packaged_lines.len(),
        "packaging/draftwatch.toml must keep config/draftwatch.toml's lines, changing only install paths"
    );
    let mut table = String::new();
    let mut differing = BTreeMap::new();
    for (number, (reference_line, packaged_line)) in
        reference_lines.iter().zip(&packaged_lines).enumerate()
    {
        if reference_line.trim_start().starts_with('[') {
            table = reference_line.trim().to_owned();
        }
        if reference_line == packaged_line {
            continue;
        }
        let line = number + 1;
        let (reference_key, _) = assignment(&table, reference_line).unwrap_or_else(|| {
            panic!("line {line} differs but is no setting: {reference_line:?} vs {packaged_line:?}")
        });
        let (packaged_key, packaged_value) = assignment(&table, packaged_line)
            .unwrap_or_else(|| panic!("line {line} differs but is no setting: {packaged_line:?}"));
        assert_eq!(
            reference_key, packaged_key,
            "line {line} changes which setting it is"
        );
        differing.insert(packaged_key, packaged_value.trim_matches('"').to_owned());
    }
    differing
}

/// The packaged config changes exactly the install paths, to exactly the package's folders:
/// any other drift (a new setting or comment added to one file only) fails here.
#[test]
fn packaged_config_differs_from_the_reference_only_in_install_paths() {
    let differing = differing_settings(
        &read("config/draftwatch.toml"),
        &read("packaging/draftwatch.toml"),
    );
    let expected: BTreeMap<String, String> = INSTALL_PATHS
        .iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
    assert_eq!(differing, expected);
}

/// The comparison above does notice a change outside the install paths.
#[test]
fn a_changed_setting_outside_the_install_paths_is_noticed() {
    let reference = read("config/draftwatch.toml");
    let packaged =
        read("packaging/draftwatch.toml").replacen("page_limit = 5", "page_limit = 6", 1);
    let differing = differing_settings(&reference, &packaged);
    assert_eq!(
        differing.get("[[sources]] page_limit").map(String::as_str),
        Some("6")
    );
}

/// The packaged config is valid as it ships, and says what the comparison read.
#[test]
fn packaged_config_is_valid_and_uses_the_package_folders() {
    let config = Config::from_toml(
        &read("packaging/draftwatch.toml"),
        Some(Path::new("packaging/draftwatch.toml")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config.watchlists_dir,
        Path::new("/etc/draftwatch/watchlists")
    );
    assert_eq!(
        config.store.path,
        Path::new("/var/lib/draftwatch/draftwatch.sqlite3")
    );
    assert_eq!(
        config.digest.calendar_dir,
        Path::new("/var/lib/draftwatch/calendars")
    );
}

/// The unit starts the binary and reads the config where the package installs them.
#[test]
fn unit_runs_what_the_package_installs() {
    let manifest: toml::Table = toml::from_str(&read("Cargo.toml")).expect("Cargo.toml parses");
    let assets = manifest["package"]["metadata"]["deb"]["assets"]
        .as_array()
        .expect("[package.metadata.deb] assets");
    let installs = |source: &str, dest: &str| {
        assets.iter().any(|asset| {
            asset.get(0).and_then(|v| v.as_str()) == Some(source)
                && asset.get(1).and_then(|v| v.as_str()) == Some(dest)
        })
    };
    assert!(installs("target/release/draftwatch", "usr/bin/"));
    assert!(installs(
        "packaging/draftwatch.toml",
        "etc/draftwatch/draftwatch.toml"
    ));
    assert!(installs("watchlists/*.toml", "etc/draftwatch/watchlists/"));

    let unit = read("systemd/draftwatch.service");
    let settings: Vec<&str> = unit.lines().filter(|line| !line.starts_with('#')).collect();
    for expected in [
        "ExecStartPre=/usr/bin/draftwatch --config /etc/draftwatch/draftwatch.toml check",
        "ExecStart=/usr/bin/draftwatch --config /etc/draftwatch/draftwatch.toml run",
        "StateDirectory=draftwatch",
        "User=draftwatch",
        "Type=notify",
        "NotifyAccess=main",
        "WatchdogSec=120s",
        "LoadCredential=smtp-password:/etc/draftwatch/smtp-password",
    ] {
        assert!(settings.contains(&expected), "unit lacks `{expected}`");
    }
    let sysusers = read("systemd/draftwatch.sysusers");
    assert!(sysusers.lines().any(|l| l.starts_with("u draftwatch ")));
}
