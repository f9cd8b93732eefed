//! The auditor's HTML report of a sweep run: written beside the JSON reports (SSE-KMS, text/html),
//! filed once on every control it covers within the daily budget, its trend read from the ledger,
//! and rendered by a real browser: headless Chromium (Debian's `chromium`, installed by
//! `tools/install_chromium.sh`, a prerequisite of `make test`) shows every control and every
//! failing resource, and its screenshot is not blank.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use aws_emulator::{DEMO_ASSESSMENT_ID, Emulator, Seed};
use genai_evidence::adapters::ledger::{Ledger, TREND_KEY};
use genai_evidence::recorder::{Budget, DigestOutcome, Recorder};
use genai_evidence::sinks::auditmanager::AuditManagerSink;
use genai_evidence::sinks::reports::ReportStore;
use genai_evidence::triggers::sweep::{SweepClients, SweepHandler, SweepOptions, SweepSummary};
use serde_json::{Value, json};

use crate::support::fast_retries;

const TABLE: &str = "report-ledger";
const BUCKET: &str = "report-evidence";
const CHROMIUM: &str = "/usr/bin/chromium";

struct Rig {
    _moto: rig::Moto,
    _emulator: Emulator,
    moto_aws: aws_config::SdkConfig,
    emulator_aws: aws_config::SdkConfig,
    suite_key: String,
}

impl Rig {
    async fn start() -> Self {
        let moto = rig::Moto::start().expect("moto starts");
        let moto_aws = rig::sdk_config(moto.endpoint(), 3).await;
        rig::estate::ledger_table(&moto_aws, TABLE).await.unwrap();
        let suite_key = rig::estate::evidence_bucket(&moto_aws, BUCKET)
            .await
            .unwrap();
        rig::estate::genai(&moto_aws, "acme").await.unwrap();
        let emulator = Emulator::start(Seed::default_genai(), Some(moto.endpoint().to_owned()))
            .await
            .expect("emulator starts");
        let emulator_aws = rig::sdk_config(&emulator.endpoint(), 3).await;
        Self {
            _moto: moto,
            _emulator: emulator,
            moto_aws,
            emulator_aws,
            suite_key,
        }
    }

    fn store(&self) -> ReportStore {
        ReportStore::new(
            rig::s3_client(&self.moto_aws),
            BUCKET,
            Some(self.suite_key.clone()),
        )
    }

    fn ledger(&self) -> Ledger {
        Ledger::new(aws_sdk_dynamodb::Client::new(&self.moto_aws), TABLE)
    }

    fn handler(&self) -> SweepHandler {
        let recorder = Recorder::new(
            self.ledger(),
            AuditManagerSink::new(
                aws_sdk_auditmanager::Client::new(&self.emulator_aws),
                DEMO_ASSESSMENT_ID.to_owned(),
                BTreeMap::new(),
                fast_retries(),
            ),
            Some(self.store()),
            Budget::default(),
        );
        SweepHandler::new(
            SweepClients::for_regions(&self.moto_aws, &[]),
            recorder,
            self.store(),
            SweepOptions::default(),
        )
    }

    async fn sweep(&self, run: &str) -> SweepSummary {
        let mut event = rig::event("scheduled-sweep");
        event["id"] = json!(run);
        let summary = self.handler().handle(&event, None).await.unwrap();
        assert_eq!(summary.status, "complete", "{summary:#?}");
        summary
    }

    /// The report object's body, content type and encryption.
    async fn object(&self, path: &str) -> (String, String, String, String) {
        let key = path.strip_prefix(&format!("s3://{BUCKET}/")).unwrap();
        let out = rig::s3_client(&self.moto_aws)
            .get_object()
            .bucket(BUCKET)
            .key(key)
            .send()
            .await
            .unwrap();
        let content_type = out.content_type().unwrap_or_default().to_owned();
        let sse = out
            .server_side_encryption()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default();
        let kms = out.ssekms_key_id().unwrap_or_default().to_owned();
        let body = out.body.collect().await.unwrap().into_bytes();
        (
            String::from_utf8(body.to_vec()).unwrap(),
            content_type,
            sse,
            kms,
        )
    }

    /// Every `s3ResourcePath` in the assessment.
    async fn paths(&self) -> Vec<String> {
        let am = aws_sdk_auditmanager::Client::new(&self.emulator_aws);
        crate::crash::evidence(&am)
            .await
            .into_iter()
            .filter(|(_, field, _)| field == "s3ResourcePath")
            .map(|(_, _, value)| value)
            .collect()
    }

    /// The failing resources (non-compliant, could not evaluate) of every digest's JSON report.
    async fn failing(&self, summary: &SweepSummary) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for digest in &summary.digests {
            let DigestOutcome::Filed(path) = &digest.outcome else {
                panic!("{digest:?}");
            };
            let key = path.strip_prefix(&format!("s3://{BUCKET}/")).unwrap();
            let report: Value = self.store().get_json(key).await.unwrap();
            for f in report["findings"].as_array().unwrap() {
                if f["verdict"] == "NON_COMPLIANT" || f["verdict"] == "COULD_NOT_EVALUATE" {
                    out.insert(f["resourceId"].as_str().unwrap().to_owned());
                }
            }
        }
        out
    }
}

fn report_path(summary: &SweepSummary) -> String {
    let report = summary
        .report
        .as_ref()
        .expect("a complete run has a report");
    assert_eq!(report.error, None, "{report:#?}");
    report.path.clone().expect("the report was written")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_writes_one_encrypted_html_report_and_files_it_once_on_every_control_it_covers() {
    let rig = Rig::start().await;
    let summary = rig.sweep("report-run-1").await;
    let path = report_path(&summary);
    let day = genai_evidence::domain::time::Timestamp::now().day();
    assert_eq!(
        path,
        format!("s3://{BUCKET}/evidence/{day}/report-report-run-1.html")
    );
    let (html, content_type, sse, kms) = rig.object(&path).await;
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert_eq!(sse, "aws:kms");
    assert!(
        rig.suite_key.ends_with(kms.rsplit('/').next().unwrap()),
        "{kms}"
    );
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "no script");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external asset"
    );
    for digest in &summary.digests {
        assert!(
            html.contains(&format!(">{}</a>", digest.control)),
            "{}",
            digest.control
        );
    }

    // Filed on every control, once: one HTML path per control with a digest.
    let report = summary.report.as_ref().unwrap();
    assert_eq!(report.filed.len(), summary.digests.len());
    assert!(
        report
            .filed
            .iter()
            .all(|f| f.outcome == DigestOutcome::Filed(path.clone())),
        "{report:#?}"
    );
    let filed_html =
        |paths: Vec<String>| paths.into_iter().filter(|p| p.ends_with(".html")).count();
    assert_eq!(filed_html(rig.paths().await), summary.digests.len());

    // A duplicate delivery files nothing; a second run stating the same verdicts the same day
    // writes its own report (its trend has both runs) and files nothing new.
    let duplicate = {
        let mut event = rig::event("scheduled-sweep");
        event["id"] = json!("report-run-1");
        rig.handler().handle(&event, None).await.unwrap()
    };
    assert_eq!(duplicate.status, "duplicate");
    assert_eq!(duplicate.report, None);
    let before = filed_html(rig.paths().await);
    let second = rig.sweep("report-run-2").await;
    let second_report = second.report.as_ref().unwrap();
    assert!(
        second_report
            .filed
            .iter()
            .all(|f| f.outcome == DigestOutcome::AlreadyFiled),
        "{second_report:#?}"
    );
    assert_eq!(filed_html(rig.paths().await), before);
    let (second_html, ..) = rig.object(&report_path(&second)).await;
    assert!(
        second_html.contains("NON_COMPLIANT over the last 2 run(s)"),
        "the trend has both runs"
    );

    // The trend window in the ledger: one entry per run, a rerun not counted twice.
    let (_, window) = rig.ledger().get_versioned(TREND_KEY).await.unwrap();
    let runs: Vec<&str> = window
        .as_ref()
        .and_then(Value::as_array)
        .unwrap()
        .iter()
        .map(|r| r["run"].as_str().unwrap())
        .collect();
    assert_eq!(runs, ["report-run-1", "report-run-2"]);
}

/// Runs headless Chromium with `args` on `page`; its stdout.
pub(crate) fn chromium(args: &[String], page: &Path, profile: &Path) -> String {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: run tools/install_chromium.sh (make test does)"
    );
    let out = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--no-first-run",
            "--window-size=1280,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A PNG's width and height, from its IHDR chunk.
pub(crate) fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let be = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    assert_eq!(&png[12..16], b"IHDR");
    (be(16), be(20))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("genai-report-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_chromium_shows_every_control_and_every_failing_resource_of_the_report() {
    let rig = Rig::start().await;
    let summary = rig.sweep("report-browser").await;
    let (html, ..) = rig.object(&report_path(&summary)).await;
    let dir = scratch("browser");
    let page = dir.join("report.html");
    std::fs::write(&page, &html).unwrap();

    let dom = chromium(&["--dump-dom".to_owned()], &page, &dir.join("profile-dom"));
    assert!(!summary.digests.is_empty());
    for digest in &summary.digests {
        assert!(
            dom.contains(&format!(
                "<section id=\"control-{}\">",
                digest.control.replace('.', "-")
            )),
            "{} has no section in the rendered page",
            digest.control
        );
    }
    let failing = rig.failing(&summary).await;
    assert!(!failing.is_empty(), "the demo estate has failing resources");
    for id in &failing {
        assert!(
            dom.contains(&format!("<code>{id}</code>")),
            "{id} is not on the page"
        );
    }

    // The screenshot: a PNG of the window's size, far from a blank page of the same size.
    let shot = dir.join("report.png");
    chromium(
        &[format!("--screenshot={}", shot.display())],
        &page,
        &dir.join("profile-shot"),
    );
    let png = std::fs::read(&shot).expect("the screenshot was written");
    assert_eq!(png_size(&png), (1280, 2000));
    let blank_page = dir.join("blank.html");
    std::fs::write(
        &blank_page,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>blank</title></head><body></body></html>",
    )
    .unwrap();
    let blank_shot = dir.join("blank.png");
    chromium(
        &[format!("--screenshot={}", blank_shot.display())],
        &blank_page,
        &dir.join("profile-blank"),
    );
    let blank = std::fs::read(&blank_shot).unwrap();
    assert_eq!(png_size(&blank), (1280, 2000));
    assert!(
        png.len() > 4 * blank.len(),
        "the report's screenshot ({} bytes) looks blank (a blank page: {} bytes)",
        png.len(),
        blank.len()
    );
    std::fs::remove_dir_all(&dir).ok();
}
