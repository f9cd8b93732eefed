//! The benchmark's markdown report (`docs/benchmarks.md`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use genai_evidence::domain::time::Timestamp;

use crate::counter::Counts;
use crate::memory::{self, Rss};
use crate::sweep::Outcome;

/// Target: API calls per in-scope resource (issue 4).
const TARGET_CALLS_PER_RESOURCE: f64 = 4.0;
/// Target: peak RSS in MiB (issue 4).
const TARGET_PEAK_MIB: f64 = 64.0;
/// Lambda's longest invocation.
const LAMBDA_LIMIT: Duration = Duration::from_secs(15 * 60);
/// The per-request latency assumed for the AWS-latency extrapolation.
const ASSUMED_AWS_LATENCY: Duration = Duration::from_millis(50);

/// One sweep run, measured.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct RunMeasurement {
    /// What the run is (column header).
    pub(crate) label: String,
    /// Wall time of the run (all its invocations).
    pub(crate) wall: Duration,
    /// Calls per (service, operation).
    #[serde(with = "crate::counter::as_pairs")]
    pub(crate) counts: BTreeMap<(String, String), Counts>,
    /// What the sweep reported.
    pub(crate) outcome: Outcome,
    /// RSS just before the run.
    pub(crate) rss_before: Rss,
    /// RSS after; `peak_kib` is the run's peak when the peak was reset before it.
    pub(crate) rss_after: Rss,
    /// Wall-clock time when only operations that ended in a 5xx were in flight.
    pub(crate) only_5xx_in_flight: Duration,
    /// The machine's 1-minute load average right after the run.
    pub(crate) load_after: f64,
}

/// Whether an operation is the sweep's own bookkeeping (the ledger, Audit Manager, the evidence
/// bucket's objects) rather than a read of the account.
fn is_bookkeeping(service: &str, operation: &str) -> bool {
    matches!(service, "DynamoDB" | "AuditManager")
        || (service == "S3" && matches!(operation, "PutObject" | "GetObject"))
}

impl RunMeasurement {
    fn sum(&self, f: impl Fn(&Counts) -> u64) -> u64 {
        self.counts.values().map(f).sum()
    }

    fn calls(&self) -> u64 {
        self.sum(|c| c.calls)
    }

    fn attempts(&self) -> u64 {
        self.sum(|c| c.attempts)
    }

    fn reads(&self) -> u64 {
        self.counts
            .iter()
            .filter(|((s, o), _)| !is_bookkeeping(s, o))
            .map(|(_, c)| c.calls)
            .sum()
    }

    fn busy(&self) -> Duration {
        self.counts.values().map(|c| c.busy).sum()
    }

    fn per_resource(&self, calls: u64) -> f64 {
        if self.outcome.in_scope == 0 {
            f64::INFINITY
        } else {
            calls as f64 / self.outcome.in_scope as f64
        }
    }

    fn in_flight(&self) -> f64 {
        self.busy().as_secs_f64() / self.wall.as_secs_f64().max(1e-3)
    }

    /// The wall time without the time when only 5xx operations (on moto: operations it does
    /// not implement, retried with backoff) were in flight.
    fn wall_without_moto_gaps(&self) -> Duration {
        self.wall.saturating_sub(self.only_5xx_in_flight)
    }
}

/// Everything measured on one account.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Measurement {
    /// The account's scale (1 = the issue's sizes).
    pub(crate) scale: f64,
    /// The seeding script's summary (sizes).
    pub(crate) seeded: serde_json::Value,
    /// Wall time of seeding.
    pub(crate) seed_wall: Duration,
    /// The runs: a first sweep on a fresh ledger, then a re-run.
    pub(crate) runs: Vec<RunMeasurement>,
    /// Whether the peak RSS was reset before each run.
    pub(crate) peak_is_per_run: bool,
    /// Built with optimisations.
    pub(crate) release: bool,
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn machine() -> Vec<(&'static str, String)> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "?".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or_else(
            || "?".to_owned(),
            |kib| format!("{:.0} GiB", kib / 1024.0 / 1024.0),
        );
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "?".into());
    let python = rig::venv_python();
    let moto = command_output(
        &python.to_string_lossy(),
        &["-c", "import moto; print(moto.__version__)"],
    )
    .unwrap_or_else(|| "?".into());
    vec![
        ("CPU", format!("{model}, {cores} cores")),
        ("Memory", mem),
        ("OS", format!("{} {kernel}", std::env::consts::OS)),
        (
            "Rust",
            command_output("rustc", &["--version"]).unwrap_or_else(|| "?".into()),
        ),
        (
            "AWS",
            format!(
                "moto {moto} (one local process on 127.0.0.1, sharing the 2 cores) for every \
                 service but Audit Manager; the project's Audit Manager emulator (a child process, \
                 so its memory is not counted) for Audit Manager"
            ),
        ),
    ]
}

fn seeded_rows(seeded: &serde_json::Value) -> Vec<(&'static str, String)> {
    let n = |key: &str| {
        seeded
            .get(key)
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0)
    };
    let tag = seeded
        .get("tagKey")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("genai-evidence");
    vec![
        (
            "S3 buckets",
            format!(
                "{}: {} referenced by GenAI resources ({} of those tagged `{tag}=exclude`), {} \
                 others tagged `{tag}=include`; plus the evidence bucket",
                n("buckets"),
                n("referencedBuckets"),
                n("excludeTaggedBuckets"),
                n("includeTaggedBuckets")
            ),
        ),
        (
            "IAM roles",
            format!(
                "{}: {} SageMaker execution roles in use, {} with inline policies granting \
                 bedrock:*/sagemaker:* actions, the rest application roles (half with an \
                 unrelated inline policy)",
                n("roles"),
                n("executionRoles"),
                n("genaiPolicyRoles")
            ),
        ),
        (
            "SageMaker notebook instances",
            format!("{} (half with a KmsKeyId)", n("notebookInstances")),
        ),
        (
            "SageMaker training jobs",
            format!(
                "{} (RoleArn, S3 input and output in the referenced buckets, half with KMS keys)",
                n("trainingJobs")
            ),
        ),
        (
            "KMS keys",
            format!(
                "{}: {} named by GenAI resources",
                n("kmsKeys"),
                n("referencedKmsKeys")
            ),
        ),
        (
            "CloudWatch log groups",
            format!(
                "{}: {} under /aws/sagemaker/, one Bedrock invocation-log group",
                n("logGroups"),
                n("sagemakerLogGroups")
            ),
        ),
        (
            "Account-wide",
            "Bedrock model invocation logging (to the log bucket and the log group), one \
             CloudTrail trail, logging"
                .to_owned(),
        ),
    ]
}

/// `x` rounded to two significant figures (extrapolations claim no more).
fn approx(x: f64) -> String {
    if !x.is_finite() || x <= 0.0 {
        return "?".into();
    }
    let magnitude = 10_f64.powf(x.log10().floor() - 1.0).max(1.0);
    format!("{:.0}", (x / magnitude).round() * magnitude)
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "**missed**" }
}

/// One row of the results table: a label, then one cell per run, then the target.
fn row(
    out: &mut String,
    label: &str,
    runs: &[RunMeasurement],
    cell: impl Fn(&RunMeasurement) -> String,
    target: &str,
) {
    let cells: Vec<String> = runs.iter().map(cell).collect();
    let _ = writeln!(out, "| {label} | {} | {target} |", cells.join(" | "));
}

/// Renders the report.
pub(crate) fn render(measurements: &[Measurement], command: &str) -> String {
    let mut out = String::new();
    let Some(m) = measurements.first() else {
        return "No measurement.\n".to_owned();
    };
    let runs = &m.runs;

    let _ = writeln!(out, "# Benchmark: the scheduled sweep on a large account\n");
    let _ = writeln!(
        out,
        "Generated by `sweep-bench` ({} build) on {}. To reproduce:\n",
        if m.release { "release" } else { "**debug**" },
        Timestamp::now()
    );
    let _ = writeln!(out, "```sh\n{command}\n```\n");
    let _ = writeln!(
        out,
        "The bench starts moto and the Audit Manager emulator, seeds moto with \
         `bench/seed_large_account.py` ({} calls in {} on 16 threads), creates the ledger table \
         and the evidence bucket, and runs the scheduled sweep in-process \
         (`genai_evidence::triggers::sweep::SweepHandler`, the sample schedule event, Lambda's \
         15-minute deadline per invocation, `{{\"continue\": true}}` while it checkpoints) twice: \
         on a fresh ledger, where every verdict is new, then again the same day with a new event \
         id, where nothing changed. Every SDK client counts its calls with an interceptor keyed by \
         the operation's metadata. Retries are the production ones (adaptive, {} attempts). \
         Memory is the bench process's (`VmRSS`/`VmHWM` from `/proc/self/status`{}); moto and \
         the emulator run in other processes.\n",
        m.seeded
            .get("seedCalls")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0),
        secs(m.seed_wall),
        genai_evidence::aws::MAX_ATTEMPTS,
        if m.peak_is_per_run {
            ", the peak reset before each run"
        } else {
            ""
        }
    );

    let _ = writeln!(out, "## Machine\n");
    for (k, v) in machine() {
        let _ = writeln!(out, "- {k}: {v}");
    }
    let _ = writeln!(out);

    let _ = writeln!(
        out,
        "## Seeded account{}\n",
        if measurements.len() > 1 {
            format!(" (scale {})", m.scale)
        } else {
            String::new()
        }
    );
    let _ = writeln!(out, "| resources | seeded |");
    let _ = writeln!(out, "|---|---|");
    for (k, v) in seeded_rows(&m.seeded) {
        let _ = writeln!(out, "| {k} | {v} |");
    }
    let _ = writeln!(out);

    let _ = writeln!(out, "## Results\n");
    let headers: Vec<&str> = runs.iter().map(|r| r.label.as_str()).collect();
    let _ = writeln!(out, "| measure | {} | target |", headers.join(" | "));
    let _ = writeln!(out, "|---|{}---|", "---:|".repeat(runs.len()));
    row(&mut out, "wall time", runs, |r| secs(r.wall), "");
    row(
        &mut out,
        "of which waiting only on operations moto lacks (5xx, retried with backoff)",
        runs,
        |r| secs(r.only_5xx_in_flight),
        "",
    );
    row(
        &mut out,
        "invocations / final status",
        runs,
        |r| format!("{} / {}", r.outcome.invocations, r.outcome.status),
        "",
    );
    row(
        &mut out,
        "in-scope resources (sweep summary)",
        runs,
        |r| {
            format!(
                "{} (+{} tagged out)",
                r.outcome.in_scope, r.outcome.excluded
            )
        },
        "",
    );
    row(
        &mut out,
        "API calls (HTTP attempts)",
        runs,
        |r| format!("{} ({})", r.calls(), r.attempts()),
        "",
    );
    row(
        &mut out,
        "— reading the account",
        runs,
        |r| r.reads().to_string(),
        "",
    );
    row(
        &mut out,
        "— ledger, Audit Manager, evidence bucket",
        runs,
        |r| (r.calls() - r.reads()).to_string(),
        "",
    );
    row(
        &mut out,
        "**API calls per in-scope resource**",
        runs,
        |r| {
            let v = r.per_resource(r.calls());
            format!("**{v:.2}** ({})", met(v <= TARGET_CALLS_PER_RESOURCE))
        },
        &format!("≤ {TARGET_CALLS_PER_RESOURCE}"),
    );
    row(
        &mut out,
        "— reads per in-scope resource",
        runs,
        |r| format!("{:.2}", r.per_resource(r.reads())),
        "",
    );
    row(
        &mut out,
        "RSS before the run",
        runs,
        |r| memory::mib(r.rss_before.current_kib),
        "",
    );
    row(
        &mut out,
        &format!(
            "**peak RSS** ({})",
            if m.peak_is_per_run {
                "VmHWM during the run"
            } else {
                "VmHWM of the process"
            }
        ),
        runs,
        |r| {
            let mib = r.rss_after.peak_kib as f64 / 1024.0;
            format!(
                "**{}** ({})",
                memory::mib(r.rss_after.peak_kib),
                met(mib < TARGET_PEAK_MIB)
            )
        },
        &format!("< {TARGET_PEAK_MIB} MB"),
    );
    row(
        &mut out,
        "peak minus RSS before",
        runs,
        |r| {
            memory::mib(
                r.rss_after
                    .peak_kib
                    .saturating_sub(r.rss_before.current_kib),
            )
        },
        "",
    );
    row(
        &mut out,
        "1-minute load average after the run (2 cores; other work inflates wall times)",
        runs,
        |r| format!("{:.1}", r.load_after),
        "",
    );
    row(
        &mut out,
        "mean calls in flight (time in calls / wall)",
        runs,
        |r| format!("{:.1}", r.in_flight()),
        "",
    );
    row(
        &mut out,
        "verdicts changed / filed alone / carried by digests",
        runs,
        |r| {
            format!(
                "{} / {} / {}",
                r.outcome.changed, r.outcome.filed, r.outcome.carried
            )
        },
        "",
    );
    row(
        &mut out,
        "digests",
        runs,
        |r| r.outcome.digests.to_string(),
        "",
    );
    let _ = writeln!(out);

    if let Some(first) = runs.first() {
        if !first.outcome.in_scope_by_type.is_empty() {
            let _ = writeln!(out, "In-scope resources by type (first run):\n");
            let _ = writeln!(out, "| type | in scope |");
            let _ = writeln!(out, "|---|---:|");
            for (t, n) in &first.outcome.in_scope_by_type {
                let _ = writeln!(out, "| {t} | {n} |");
            }
            let _ = writeln!(out);
        }
        if !first.outcome.verdicts.is_empty() {
            let verdicts: Vec<String> = first
                .outcome
                .verdicts
                .iter()
                .map(|(v, n)| format!("{v} {n}"))
                .collect();
            let _ = writeln!(out, "Findings by verdict: {}.\n", verdicts.join(", "));
        }
        if !first.outcome.errors.is_empty() {
            let _ = writeln!(
                out,
                "Errors the sweep reported (their resources became could-not-evaluate findings):\n"
            );
            for e in first.outcome.errors.iter().take(20) {
                let short: String = e.replace('\n', " ").chars().take(240).collect();
                let _ = writeln!(out, "- {short}…");
            }
            let _ = writeln!(out);
        }
    }

    let _ = writeln!(out, "## API calls per operation\n");
    let _ = writeln!(
        out,
        "Bookkeeping (†) is the ledger, Audit Manager and the evidence bucket's objects; the rest \
         reads the account. Columns after the first four are the first run's.\n"
    );
    let mut keys: Vec<&(String, String)> = runs.iter().flat_map(|r| r.counts.keys()).collect();
    keys.sort();
    keys.dedup();
    let first_calls = |k: &(String, String)| {
        runs.first()
            .and_then(|r| r.counts.get(k))
            .map_or(0, |c| c.calls)
    };
    keys.sort_by(|a, b| first_calls(b).cmp(&first_calls(a)).then(a.cmp(b)));
    let _ = writeln!(
        out,
        "| service | operation | {} | attempts | failed | of which 5xx | time in calls |",
        headers.join(" | ")
    );
    let _ = writeln!(
        out,
        "|---|---|{}---:|---:|---:|---:|",
        "---:|".repeat(runs.len())
    );
    for key in keys {
        let (service, operation) = key;
        let mark = if is_bookkeeping(service, operation) {
            " †"
        } else {
            ""
        };
        let calls: Vec<String> = runs
            .iter()
            .map(|r| r.counts.get(key).map_or(0, |c| c.calls).to_string())
            .collect();
        let first = runs
            .first()
            .and_then(|r| r.counts.get(key))
            .copied()
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| {service} | {operation}{mark} | {} | {} | {} | {} | {} |",
            calls.join(" | "),
            first.attempts,
            first.errors,
            first.server_errors,
            secs(first.busy)
        );
    }
    let totals: Vec<String> = runs.iter().map(|r| format!("**{}**", r.calls())).collect();
    if let Some(first) = runs.first() {
        let _ = writeln!(
            out,
            "| **total** | | {} | {} | {} | {} | {} |\n",
            totals.join(" | "),
            first.attempts(),
            first.sum(|c| c.errors),
            first.sum(|c| c.server_errors),
            secs(first.busy())
        );
    }

    if measurements.len() > 1 {
        render_scaling(&mut out, measurements);
    }
    // Extrapolate from the largest account measured.
    let largest = measurements
        .iter()
        .max_by(|a, b| a.scale.total_cmp(&b.scale))
        .unwrap_or(m);
    if let Some(first) = largest.runs.first() {
        render_extrapolation(&mut out, first, largest, measurements);
    }
    if let Some(first) = runs.first() {
        render_dominates(&mut out, first);
    }
    out
}

fn render_scaling(out: &mut String, measurements: &[Measurement]) {
    let _ = writeln!(
        out,
        "## As the account grows\n\nThe same account at each scale, each measured in a fresh \
         process (first run on a fresh ledger, unless marked re-run).\n"
    );
    let headers: Vec<String> = measurements
        .iter()
        .map(|m| format!("scale {}", m.scale))
        .collect();
    let _ = writeln!(out, "| measure | {} |", headers.join(" | "));
    let _ = writeln!(out, "|---|{}", "---:|".repeat(measurements.len()));
    let line = |out: &mut String, label: &str, cell: &dyn Fn(&Measurement) -> String| {
        let cells: Vec<String> = measurements.iter().map(cell).collect();
        let _ = writeln!(out, "| {label} | {} |", cells.join(" | "));
    };
    let n = |m: &Measurement, key: &str| {
        m.seeded
            .get(key)
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0)
    };
    fn first(m: &Measurement) -> Option<&RunMeasurement> {
        m.runs.first()
    }
    fn rerun(m: &Measurement) -> Option<&RunMeasurement> {
        m.runs.get(1)
    }
    let unknown = || "?".to_owned();
    line(
        out,
        "buckets / roles / notebooks / training jobs / keys / log groups",
        &|m| {
            format!(
                "{} / {} / {} / {} / {} / {}",
                n(m, "buckets"),
                n(m, "roles"),
                n(m, "notebookInstances"),
                n(m, "trainingJobs"),
                n(m, "kmsKeys"),
                n(m, "logGroups")
            )
        },
    );
    line(out, "in-scope resources", &|m| {
        first(m).map_or_else(unknown, |r| r.outcome.in_scope.to_string())
    });
    line(out, "wall time", &|m| {
        first(m).map_or_else(unknown, |r| secs(r.wall))
    });
    line(out, "wall time without moto's 5xx retries", &|m| {
        first(m).map_or_else(unknown, |r| secs(r.wall_without_moto_gaps()))
    });
    line(
        out,
        "ms per in-scope resource (without 5xx retries)",
        &|m| {
            first(m).map_or_else(unknown, |r| {
                format!(
                    "{:.1}",
                    1000.0 * r.wall_without_moto_gaps().as_secs_f64()
                        / r.outcome.in_scope.max(1) as f64
                )
            })
        },
    );
    line(out, "API calls", &|m| {
        first(m).map_or_else(unknown, |r| r.calls().to_string())
    });
    line(out, "API calls per in-scope resource", &|m| {
        first(m).map_or_else(unknown, |r| format!("{:.2}", r.per_resource(r.calls())))
    });
    line(out, "API calls per in-scope resource, re-run", &|m| {
        rerun(m).map_or_else(unknown, |r| format!("{:.2}", r.per_resource(r.calls())))
    });
    line(out, "RSS before the first run", &|m| {
        first(m).map_or_else(unknown, |r| memory::mib(r.rss_before.current_kib))
    });
    line(out, "peak RSS, first run", &|m| {
        first(m).map_or_else(unknown, |r| memory::mib(r.rss_after.peak_kib))
    });
    line(out, "peak RSS, re-run", &|m| {
        rerun(m).map_or_else(unknown, |r| memory::mib(r.rss_after.peak_kib))
    });
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Memory (MB as Lambda counts it, i.e. MiB); each scale runs in a fresh process, the \
         re-run after the first run in the same process, as in a warm Lambda container:\n"
    );
    // Memory against the account, per run kind (first run, re-run).
    for (index, kind) in [(0, "first run"), (1, "re-run")] {
        let (Some(a), Some(b)) = (
            measurements.first().and_then(|m| m.runs.get(index)),
            measurements.last().and_then(|m| m.runs.get(index)),
        ) else {
            continue;
        };
        let extra = b.outcome.in_scope.saturating_sub(a.outcome.in_scope);
        let Some((intercept, slope)) = memory_line(measurements, index) else {
            continue;
        };
        let _ = write!(
            out,
            "- {kind}: the peak RSS grew by {:.1} MiB for {extra} more in-scope resources, \
             {slope:.1} KiB per in-scope resource",
            (b.rss_after.peak_kib as f64 - a.rss_after.peak_kib as f64) / 1024.0,
        );
        if slope > 0.0 {
            let _ = write!(
                out,
                "; on that line the peak reaches {TARGET_PEAK_MIB} MB at ~{} in-scope \
                 resources (extrapolated)",
                approx((TARGET_PEAK_MIB * 1024.0 - intercept) / slope)
            );
        }
        let _ = writeln!(out, ".");
    }
    let over: Vec<String> = measurements
        .iter()
        .flat_map(|m| {
            m.runs
                .iter()
                .filter(|r| r.rss_after.peak_kib as f64 / 1024.0 >= TARGET_PEAK_MIB)
                .map(move |r| {
                    format!(
                        "scale {} {} ({})",
                        m.scale,
                        r.label,
                        memory::mib(r.rss_after.peak_kib)
                    )
                })
        })
        .collect();
    if !over.is_empty() {
        let _ = writeln!(
            out,
            "- Above the {TARGET_PEAK_MIB} MB target: {}.",
            over.join("; ")
        );
    }
    let _ = writeln!(out);
}

/// Peak RSS (KiB) against in-scope resources for run `index` (0: first run, 1: re-run), as
/// (intercept, slope per resource): a straight line through the smallest and the largest
/// account's peaks, or, with one account, through its RSS before the run and its peak.
fn memory_line(measurements: &[Measurement], index: usize) -> Option<(f64, f64)> {
    let a = measurements.first()?.runs.get(index)?;
    let b = measurements.last()?.runs.get(index)?;
    let (x0, y0, x1, y1) = if b.outcome.in_scope > a.outcome.in_scope {
        (
            a.outcome.in_scope as f64,
            a.rss_after.peak_kib as f64,
            b.outcome.in_scope as f64,
            b.rss_after.peak_kib as f64,
        )
    } else {
        (
            0.0,
            a.rss_before.current_kib as f64,
            a.outcome.in_scope as f64,
            a.rss_after.peak_kib as f64,
        )
    };
    if x1 <= x0 {
        return None;
    }
    let slope = (y1 - y0) / (x1 - x0);
    Some((y0 - slope * x0, slope))
}

/// The scheduled-sweep function's `MemorySize` in `template.yaml` (MB), if it can be read.
fn template_memory_mb() -> Option<f64> {
    let text = std::fs::read_to_string(rig::workspace_root().join("template.yaml")).ok()?;
    let mut lines = text
        .lines()
        .skip_while(|l| l.trim() != "ScheduledSweepFunction:");
    lines.next()?;
    let indent = |l: &str| l.len() - l.trim_start().len();
    lines
        .take_while(|l| l.trim().is_empty() || indent(l) > 2)
        .find_map(|l| l.trim().strip_prefix("MemorySize:"))
        .and_then(|v| v.trim().parse().ok())
}

fn render_extrapolation(
    out: &mut String,
    r: &RunMeasurement,
    m: &Measurement,
    measurements: &[Measurement],
) {
    let seeded = &m.seeded;
    let _ = writeln!(
        out,
        "## The largest account one 15-minute invocation handles (an extrapolation)\n"
    );
    let _ = writeln!(
        out,
        "Extrapolated from the first run (the costlier one) on the largest account measured \
         (scale {}), assuming the sweep's time grows linearly with the account. **Not \
         measured.**\n",
        m.scale
    );
    let in_scope = r.outcome.in_scope as f64;
    let buckets = seeded
        .get("buckets")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0) as f64;
    // The sweep stops starting units this long before the deadline.
    let reserve = genai_evidence::triggers::sweep::SweepOptions::default().time_reserve;
    let usable = LAMBDA_LIMIT.saturating_sub(reserve).as_secs_f64();
    let effective = r.wall_without_moto_gaps().as_secs_f64().max(1e-3);
    let scale = usable / effective;
    let _ = writeln!(
        out,
        "One invocation has 15 minutes; the sweep starts no new unit in the last {} (its time \
         reserve), so {usable:.0} s of work fit.\n",
        secs(reserve)
    );
    let _ = writeln!(
        out,
        "- At the throughput measured on moto (local, a few ms a call): the run took {}, {} of it \
         waiting only on operations moto does not implement (retried with backoff; on AWS they \
         answer at once); without that {:.1} s, {:.0} in-scope resources a second. {usable:.0} s is then **~{}× this \
         account**: ~{} in-scope resources, in an account of ~{} buckets.",
        secs(r.wall),
        secs(r.only_5xx_in_flight),
        effective,
        in_scope / effective,
        approx(scale),
        approx(in_scope * scale),
        approx(buckets * scale)
    );
    let in_flight = r.in_flight().max(1.0);
    let aws_secs = r.attempts() as f64 * ASSUMED_AWS_LATENCY.as_secs_f64() / in_flight;
    let aws_scale = usable / aws_secs.max(1e-3);
    let _ = writeln!(
        out,
        "- At AWS latencies (assumed {} ms a request on average, with the {:.1} calls in flight \
         measured here, no throttling): this account's {} requests take ~{aws_secs:.0} s, so one \
         invocation handles **~{}× this account** (~{} in-scope resources). This is the more \
         realistic bound: on AWS the sweep waits on the network, not on the CPU.",
        ASSUMED_AWS_LATENCY.as_millis(),
        in_flight,
        r.attempts(),
        approx(aws_scale),
        approx(in_scope * aws_scale)
    );
    if let Some(memory_mb) = template_memory_mb() {
        let bounds: Vec<(f64, String)> = [(0, "first run"), (1, "re-run in a warm container")]
            .iter()
            .filter_map(|(index, kind)| {
                let (intercept, slope) = memory_line(measurements, *index)?;
                (slope > 0.0).then(|| {
                    let at = (memory_mb * 1024.0 - intercept) / slope;
                    (
                        at,
                        format!(
                            "~{} in-scope resources ({kind}, {slope:.1} KiB each)",
                            approx(at)
                        ),
                    )
                })
            })
            .collect();
        if let Some(lowest) = bounds.iter().map(|(at, _)| *at).reduce(f64::min) {
            let texts: Vec<&str> = bounds.iter().map(|(_, t)| t.as_str()).collect();
            let time_bound = in_scope * aws_scale;
            let _ = writeln!(
                out,
                "- Memory: `template.yaml` gives the sweep {memory_mb:.0} MB. On the line through \
                 the measured peaks (see above) that is reached at {}. {}",
                texts.join(" and "),
                if lowest < time_bound {
                    "So memory, not time, is the first limit at AWS latencies."
                } else {
                    "So time (and the checkpoints) comes first at AWS latencies."
                }
            );
        }
    }
    let _ = writeln!(
        out,
        "\nPast the time limit the sweep does not fail: it checkpoints in the ledger table before \
         the deadline and the next invocation continues. Past the memory limit it would fail.\n"
    );
}

fn render_dominates(out: &mut String, r: &RunMeasurement) {
    let _ = writeln!(out, "## What dominates (first run)\n");
    let calls = r.calls() as f64;
    let busy = r.busy().as_secs_f64();
    let pct = |n: f64, total: f64| if total > 0.0 { 100.0 * n / total } else { 0.0 };
    let mut by_calls: Vec<_> = r.counts.iter().collect();
    by_calls.sort_by_key(|(_, c)| std::cmp::Reverse(c.calls));
    let top: Vec<String> = by_calls
        .iter()
        .take(4)
        .map(|((s, o), c)| format!("{s} {o} {} ({:.0}%)", c.calls, pct(c.calls as f64, calls)))
        .collect();
    let _ = writeln!(out, "- Calls: {}.", top.join("; "));
    let mut by_time: Vec<_> = r.counts.iter().collect();
    by_time.sort_by_key(|(_, c)| std::cmp::Reverse(c.busy));
    let top: Vec<String> = by_time
        .iter()
        .take(4)
        .map(|((s, o), c)| {
            format!(
                "{s} {o} {} ({:.0}%)",
                secs(c.busy),
                pct(c.busy.as_secs_f64(), busy)
            )
        })
        .collect();
    let _ = writeln!(out, "- Time in calls: {}.", top.join("; "));
    let gaps: Vec<String> = by_calls
        .iter()
        .filter(|(_, c)| c.server_errors > 0)
        .map(|((s, o), c)| {
            format!(
                "{s} {o} ({} attempts, {})",
                c.attempts,
                secs(c.server_error_busy)
            )
        })
        .collect();
    if !gaps.is_empty() {
        let _ = writeln!(
            out,
            "- Operations moto answered with HTTP 5xx (not implemented there), retried with \
             backoff, then reported as could-not-evaluate: {}.",
            gaps.join("; ")
        );
    }
    let _ = writeln!(out);
}
