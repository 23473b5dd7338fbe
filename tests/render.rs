//! How a real grouped digest looks: built through the binary (the captured TAP page polled
//! on 07.09.2026, when one followed draft closes the next day and two more are announced,
//! so the digest has two groups; written by the file transport), its HTML part is checked to be
//! self-contained (no scripts, no remote images or style sheets) and rendered in headless
//! Chromium to a PNG; its text part must read at 80 columns. Run with
//! `DRAFTWATCH_SCREENSHOT=path/to/digest.png` to keep the screenshot (docs/digest-rendering.md).
//!
//! Without `/usr/bin/chromium` the screenshot step prints "skipped: chromium not installed",
//! unless the environment variable `CI` is set, where it fails.

mod cli_harness;
mod support;

use std::path::{Path, PathBuf};

use cli_harness::{FILE_MAIL, NOW, Setup, portal, stderr};
use support::chromium::{CHROMIUM, screenshot};

/// A Monday on which the captured page gives a "closing soon" and an "open" group.
const GROUPED_NOW: &str = "2026-09-07T09:00:00+03:00";

/// Every watchlist in `watchlists/`, so the digest has items in several groups.
const ALL_WATCHLISTS: [&str; 7] = [
    "arpusgimenes-aprupe",
    "berni",
    "gimenes-pabalsti",
    "invaliditate-berni",
    "izglitiba",
    "jauniesi-atkaribas",
    "vardarbiba",
];

/// Poll the captured page at `now` and write the digest as an `.eml` file; its bytes.
async fn digest_at(setup: &Setup, now: &str) -> Vec<u8> {
    let poll = setup.run_at(now, &["poll"]).await;
    assert!(poll.status.success(), "poll failed: {}", stderr(&poll));
    let digest = setup.run_at(now, &["digest"]).await;
    assert!(
        digest.status.success(),
        "digest failed: {}",
        stderr(&digest)
    );
    let outbox = setup.dir.path().join("data/outbox");
    let files: Vec<PathBuf> = std::fs::read_dir(&outbox)
        .expect("outbox folder")
        .map(|entry| entry.expect("folder entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
        .collect();
    assert_eq!(
        files.len(),
        1,
        "one digest written at {now}: {files:?}, digest said {}",
        cli_harness::stdout(&digest)
    );
    std::fs::read(&files[0]).expect("read .eml")
}

/// Lines of `text` wider than 80 characters, except lines that are one URL alone.
fn too_wide(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| line.trim_end_matches('\r'))
        .filter(|line| line.chars().count() > 80)
        .filter(|line| {
            let word = line.trim();
            word.contains(char::is_whitespace)
                || !(word.starts_with("https://") || word.starts_with("http://"))
        })
        .map(|line| format!("{:3} columns: {line}", line.chars().count()))
        .collect()
}

/// What in `html` depends on anything outside the message, or runs code.
fn external_dependencies(html: &str) -> Vec<&'static str> {
    let lower = html.to_lowercase();
    let compact: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    let mut found = Vec::new();
    if lower.contains("<script") {
        found.push("a <script> element");
    }
    let remote_image = compact.split("<img").skip(1).any(|tag| {
        let attributes = tag.split('>').next().unwrap_or_default();
        ["src=\"http", "src='http", "src=http"]
            .iter()
            .any(|remote| attributes.contains(remote))
    });
    if remote_image {
        found.push("a remote image");
    }
    if compact.contains("rel=\"stylesheet\"") || compact.contains("rel=stylesheet") {
        found.push("a linked style sheet");
    }
    if compact.contains("@import") {
        found.push("an @import of a style sheet");
    }
    if compact.contains("url(http") {
        found.push("a remote url() in CSS");
    }
    found
}

#[tokio::test(flavor = "multi_thread")]
async fn grouped_digest_html_is_self_contained_and_renders_in_chromium() {
    let server = portal().await;
    let setup = Setup::new(&server.uri(), FILE_MAIL, &ALL_WATCHLISTS);
    let mail = support::parse_mail(&digest_at(&setup, GROUPED_NOW).await);

    // A grouped digest: three drafts in two groups, in both parts.
    for id in ["26-TA-1985", "26-TA-1986", "26-TA-2228"] {
        assert!(mail.text.contains(id), "{id} in the text part");
        assert!(mail.html.contains(id), "{id} in the HTML part");
    }
    for heading in ["TERMIŅŠ DRĪZ BEIDZAS", "SABIEDRĪBAS LĪDZDALĪBA"] {
        assert!(mail.text.contains(heading), "{heading}: {}", mail.text);
    }

    let external = external_dependencies(&mail.html);
    assert!(
        external.is_empty(),
        "the HTML part must be self-contained, found {external:?}"
    );
    assert!(
        mail.html.to_lowercase().contains("<html") && mail.html.to_lowercase().contains("</html>"),
        "a whole HTML document"
    );

    let work = tempfile::tempdir().expect("temp dir");
    let html_file = work.path().join("digest.html");
    std::fs::write(&html_file, &mail.html).expect("write html");
    if !Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must render the digest: install Debian's chromium (see .ci/run)"
        );
        println!("skipped: chromium not installed");
        return;
    }
    let png = work.path().join("digest.png");
    screenshot(&html_file, &png, &work.path().join("profile"));
    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "the screenshot is a PNG"
    );
    assert!(
        bytes.len() > 10 * 1024,
        "the screenshot shows more than a blank page ({} bytes)",
        bytes.len()
    );
    if let Some(keep) = std::env::var_os("DRAFTWATCH_SCREENSHOT") {
        std::fs::copy(&png, &keep).expect("copy the screenshot");
        std::fs::write(Path::new(&keep).with_extension("txt"), &mail.text).expect("copy text");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn text_part_reads_at_80_columns() {
    let server = portal().await;
    let mut wide = Vec::new();
    for now in [GROUPED_NOW, NOW] {
        let setup = Setup::new(&server.uri(), FILE_MAIL, &ALL_WATCHLISTS);
        let mail = support::parse_mail(&digest_at(&setup, now).await);
        wide.extend(
            too_wide(&mail.text)
                .into_iter()
                .map(|line| format!("{now}: {line}")),
        );
    }
    assert!(
        wide.is_empty(),
        "text part lines over 80 columns:\n{}",
        wide.join("\n")
    );
}

#[test]
fn wide_lines_are_found_and_lone_urls_allowed() {
    let url = format!("https://tapportals.mk.gov.lv/{}", "x".repeat(90));
    let text = format!(
        "short line\n{}\n  {url}\nSee {url}\n{}\r\n",
        "ā".repeat(80),
        "ē".repeat(81)
    );
    let wide = too_wide(&text);
    assert_eq!(wide.len(), 2, "{wide:?}");
    assert!(wide[0].starts_with("123 columns: See https://"), "{wide:?}");
    assert!(wide[1].starts_with(" 81 columns: ē"), "{wide:?}");
}

#[test]
fn external_dependencies_are_named() {
    assert!(external_dependencies("<p style=\"color:#333\">x</p><img src=\"cid:a\">").is_empty());
    assert_eq!(
        external_dependencies(
            "<SCRIPT>x</SCRIPT><img alt=\"\" src='http://a/b.png'><link rel=\"stylesheet\" href=x>\
             <style>@import 'x.css'; p { background: url(https://a/b) }</style>"
        ),
        [
            "a <script> element",
            "a remote image",
            "a linked style sheet",
            "an @import of a style sheet",
            "a remote url() in CSS"
        ]
    );
}
