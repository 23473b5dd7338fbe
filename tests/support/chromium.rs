//! Headless Chromium (Debian's `chromium`), which renders digests' HTML parts to PNG in
//! tests/render.rs and tests/digest_texts.rs. Without `/usr/bin/chromium` those tests print
//! "skipped: chromium not installed", unless `CI` is set, where they fail.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Where Debian installs Chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Render `html_file` headless at 900×1600 into `png`; the process is killed after a minute.
pub fn screenshot(html_file: &Path, png: &Path, profile: &Path) {
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--window-size=900,1600")
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html_file.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            assert!(status.success(), "chromium failed: {status}");
            return;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
