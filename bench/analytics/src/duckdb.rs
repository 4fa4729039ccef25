//! The comparison with DuckDB: `duckdb_figures.py` computes the month dashboard from the
//! exported raw log; every figure must equal Townsquare's (counts exactly, rates to 1e-9).

use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use townsquare_app::analytics::{Dashboard, Figures};
use townsquare_domain::analytics as rules;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/duckdb_figures.py");
const INSTALL: &str = "pip install duckdb==2.0.1";

/// Fails, saying how to install it, unless `python3` can import `duckdb`.
pub fn duckdb_available() -> Result<()> {
    let ok = Command::new("python3")
        .args(["-c", "import duckdb"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        bail!(
            "the DuckDB comparison needs python3 with the duckdb package: `{INSTALL}` \
             (or run with --no-duckdb to skip it)"
        );
    }
    Ok(())
}

/// Runs the script on the export, checks its figures against the month dashboard `d`, and
/// prints both times and their ratio.
pub fn duckdb_comparison(dir: &Path, d: &Dashboard, cold: Duration, warm: Duration) -> Result<()> {
    let out = Command::new("python3")
        .arg(SCRIPT)
        .arg("--dir")
        .arg(dir)
        .args(["--today", &d.today.to_string(), "--tz", &d.time_zone])
        .output()
        .with_context(|| format!("run python3 {SCRIPT}"))?;
    if !out.status.success() {
        bail!(
            "{SCRIPT} failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let json: Value = serde_json::from_slice(&out.stdout).context("read DuckDB's figures")?;
    let seconds = |k: &str| json[k].as_f64().unwrap_or(f64::NAN);
    let (load, compute, again, derive) = (
        seconds("load_seconds"),
        seconds("compute_seconds"),
        seconds("compute_again_seconds"),
        seconds("derive_seconds"),
    );

    let mut check = Check::default();
    check.all(d, &json["figures"]);
    println!(
        "DuckDB {} from the raw log ({} rows): {} figures compared, {} mismatches",
        json["duckdb_version"].as_str().unwrap_or("?"),
        json["rows"],
        check.compared,
        check.mismatches.len()
    );
    for m in &check.mismatches {
        println!("  MISMATCH {m}");
    }
    let (cold_s, warm_s) = (cold.as_secs_f64(), warm.as_secs_f64());
    println!(
        "DuckDB (month dashboard): cold {:.0} ms (load {:.0} ms + compute {:.0} ms), compute on the loaded tables {:.0} ms (again: {:.0} ms; of the first, {:.0} ms derive member-days and stints from the raw rows, {:.0} ms the figure queries)",
        (load + compute) * 1000.0,
        load * 1000.0,
        compute * 1000.0,
        compute * 1000.0,
        again * 1000.0,
        derive * 1000.0,
        (compute - derive) * 1000.0
    );
    println!(
        "Townsquare cold ({:.1} ms) is {:.0}× faster than DuckDB cold (load + compute)",
        cold_s * 1000.0,
        (load + compute) / cold_s
    );
    println!(
        "Townsquare warm ({:.1} ms) is {:.0}× faster than DuckDB from the raw rows (compute on loaded tables, {:.0} ms)",
        warm_s * 1000.0,
        compute / warm_s,
        compute * 1000.0
    );
    if !check.mismatches.is_empty() {
        bail!(
            "{} of {} figures differ between Townsquare and DuckDB",
            check.mismatches.len(),
            check.compared
        );
    }
    Ok(())
}

#[derive(Default)]
struct Check {
    compared: usize,
    mismatches: Vec<String>,
}

impl Check {
    fn count(&mut self, name: &str, ours: i64, theirs: &Value) {
        self.compared += 1;
        if theirs.as_i64() != Some(ours) {
            self.mismatches
                .push(format!("{name}: Townsquare {ours}, DuckDB {theirs}"));
        }
    }

    fn rate(&mut self, name: &str, ours: f64, theirs: &Value) {
        self.compared += 1;
        if !theirs.as_f64().is_some_and(|t| (t - ours).abs() <= 1e-9) {
            self.mismatches
                .push(format!("{name}: Townsquare {ours}, DuckDB {theirs}"));
        }
    }

    fn figures(&mut self, label: &str, f: &Figures, j: &Value) {
        let counts = [
            ("dau", f.dau),
            ("wau", f.wau),
            ("mau", f.mau),
            ("active_members", f.active_members),
            ("participants", f.participants),
            ("contributors", f.contributors),
            ("members_at_end", f.members_at_end),
            ("new_members", f.new_members),
            ("activated", f.activated),
            ("previously_active", f.previously_active),
            ("churned", f.churned),
        ];
        for (name, v) in counts {
            self.count(&format!("{label}.{name}"), v, &j[name]);
        }
        let rates = [
            ("stickiness", f.stickiness),
            ("active_member_rate", f.active_member_rate),
            ("contribution_rate", f.contribution_rate),
            ("activation_rate", f.activation_rate),
            ("activity_churn", f.activity_churn),
        ];
        for (name, v) in rates {
            self.rate(&format!("{label}.{name}"), v, &j[name]);
        }
    }

    fn all(&mut self, d: &Dashboard, j: &Value) {
        self.figures("current", &d.current, &j["current"]);
        self.figures("before", &d.before, &j["before"]);

        let empty = Vec::new();
        let daily = j["daily_active"].as_array().unwrap_or(&empty);
        self.count(
            "daily_active.len",
            d.daily_active.len() as i64,
            &daily.len().into(),
        );
        for (i, (day, n)) in d.daily_active.iter().enumerate() {
            let label = format!("daily_active[{}]", rules::date_of_day(*day));
            self.count(
                &format!("{label}.day"),
                *day,
                &daily.get(i).map_or(Value::Null, |r| r[0].clone()),
            );
            self.count(
                &label,
                *n,
                &daily.get(i).map_or(Value::Null, |r| r[1].clone()),
            );
        }

        let months = j["months"].as_array().unwrap_or(&empty);
        self.count("months.len", d.months.len() as i64, &months.len().into());
        for (m, t) in d.months.iter().zip(months) {
            let label = format!("months[{}]", m.label);
            self.count(&format!("{label}.month"), m.month, &t["month"]);
            self.count(&format!("{label}.mau"), m.mau, &t["mau"]);
            self.count(
                &format!("{label}.members_at_end"),
                m.members_at_end,
                &t["members_at_end"],
            );
            self.count(
                &format!("{label}.new_members"),
                m.new_members,
                &t["new_members"],
            );
            self.rate(
                &format!("{label}.active_member_rate"),
                m.active_member_rate,
                &t["active_member_rate"],
            );
            self.rate(
                &format!("{label}.contribution_rate"),
                m.contribution_rate,
                &t["contribution_rate"],
            );
        }

        let cohorts = j["cohorts"].as_array().unwrap_or(&empty);
        self.count("cohorts.len", d.cohorts.len() as i64, &cohorts.len().into());
        for (c, t) in d.cohorts.iter().zip(cohorts) {
            let label = format!("cohorts[{}]", rules::month_label(c.month));
            self.count(&format!("{label}.month"), c.month, &t["month"]);
            self.count(&format!("{label}.size"), c.size, &t["size"]);
            let cells = t["cells"].as_array().unwrap_or(&empty);
            self.count(
                &format!("{label}.cells.len"),
                c.cells.len() as i64,
                &cells.len().into(),
            );
            for (k, (ours, theirs)) in c.cells.iter().zip(cells).enumerate() {
                let name = format!("{label}.cells[{k}]");
                match ours {
                    Some(v) => self.rate(&name, *v, theirs),
                    None => {
                        self.compared += 1;
                        if !theirs.is_null() {
                            self.mismatches
                                .push(format!("{name}: Townsquare empty, DuckDB {theirs}"));
                        }
                    }
                }
            }
        }

        // Acquisition: one row per (source, campaign), whatever the order of equal counts.
        let ours: BTreeMap<(String, String), (i64, i64)> = d
            .acquisition
            .iter()
            .map(|a| {
                (
                    (a.source.clone(), a.campaign.clone()),
                    (a.members, a.activated),
                )
            })
            .collect();
        let theirs: BTreeMap<(String, String), (Value, Value)> = j["acquisition"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .map(|a| {
                let text = |k: &str| a[k].as_str().unwrap_or("").to_string();
                (
                    (text("source"), text("campaign")),
                    (a["members"].clone(), a["activated"].clone()),
                )
            })
            .collect();
        let keys: std::collections::BTreeSet<_> = ours.keys().chain(theirs.keys()).collect();
        for key in keys {
            let label = format!("acquisition[{:?}/{:?}]", key.0, key.1);
            let (o, t) = (ours.get(key), theirs.get(key));
            let (om, oa) = o.copied().unwrap_or((0, 0));
            let (tm, ta) = t.cloned().unwrap_or((Value::from(0), Value::from(0)));
            self.count(&format!("{label}.members"), om, &tm);
            self.count(&format!("{label}.activated"), oa, &ta);
        }
    }
}
