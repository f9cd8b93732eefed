//! Test hooks: injected faults, a clock shift, and per-operation call counters.
//!
//! These are for setting a scenario up only. What the emulator stored is read back through the
//! emulated AWS APIs, never through this type.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// Shared fault switches and call counters of one emulator.
#[derive(Debug, Default)]
pub struct Faults {
    throttle_imports: AtomicUsize,
    fail_items: AtomicUsize,
    fail_evaluations: AtomicUsize,
    deny_all: AtomicBool,
    clock_offset_secs: AtomicI64,
    calls: Mutex<BTreeMap<String, usize>>,
}

/// Decrements `counter` if it is positive; true when it did.
fn take(counter: &AtomicUsize) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

impl Faults {
    /// The next `n` `BatchImportEvidenceToAssessmentControl` calls get HTTP 429
    /// `ThrottlingException` before anything is stored. Replaces any previous setting.
    pub fn throttle_next_imports(&self, n: usize) {
        self.throttle_imports.store(n, Ordering::SeqCst);
    }

    /// The next `n` manual evidence items (counted across import calls) are not stored and come
    /// back in the 200 answer's `errors` with `errorCode` `"500"`. Replaces any previous setting.
    pub fn fail_next_items(&self, n: usize) {
        self.fail_items.store(n, Ordering::SeqCst);
    }

    /// The next `n` evaluations of non-TestMode `PutEvaluations` calls come back in
    /// `FailedEvaluations` and are not stored. Replaces any previous setting.
    pub fn fail_next_evaluations(&self, n: usize) {
        self.fail_evaluations.store(n, Ordering::SeqCst);
    }

    /// While on, every Audit Manager call gets HTTP 403 `AccessDeniedException`.
    pub fn deny_all(&self, on: bool) {
        self.deny_all.store(on, Ordering::SeqCst);
    }

    /// Moves the emulator's clock by `secs` (cumulative; negative moves it back). Lets a test
    /// reach the next UTC day, where the daily manual-evidence quota starts again.
    pub fn advance_clock(&self, secs: i64) {
        self.clock_offset_secs.fetch_add(secs, Ordering::SeqCst);
    }

    /// How many requests named operation `op` (for example `"PutEvaluations"`) received,
    /// whatever their outcome.
    pub fn calls(&self, op: &str) -> usize {
        self.lock_calls().get(op).copied().unwrap_or(0)
    }

    /// All call counters.
    pub fn all_calls(&self) -> BTreeMap<String, usize> {
        self.lock_calls().clone()
    }

    /// Snapshot of the switches, as the `/_emulator/faults` endpoint reports them.
    pub(crate) fn snapshot(&self) -> serde_json::Value {
        serde_json::json!({
            "throttleImports": self.throttle_imports.load(Ordering::SeqCst),
            "failItems": self.fail_items.load(Ordering::SeqCst),
            "failEvaluations": self.fail_evaluations.load(Ordering::SeqCst),
            "denyAll": self.deny_all.load(Ordering::SeqCst),
            "clockOffsetSeconds": self.clock_offset_secs.load(Ordering::SeqCst),
        })
    }

    pub(crate) fn take_throttle(&self) -> bool {
        take(&self.throttle_imports)
    }

    pub(crate) fn take_item_failure(&self) -> bool {
        take(&self.fail_items)
    }

    pub(crate) fn take_evaluation_failure(&self) -> bool {
        take(&self.fail_evaluations)
    }

    pub(crate) fn denied(&self) -> bool {
        self.deny_all.load(Ordering::SeqCst)
    }

    pub(crate) fn clock_offset(&self) -> i64 {
        self.clock_offset_secs.load(Ordering::SeqCst)
    }

    pub(crate) fn record_call(&self, op: &str) {
        *self.lock_calls().entry(op.to_owned()).or_insert(0) += 1;
    }

    fn lock_calls(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, usize>> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_consumed_one_at_a_time() {
        let f = Faults::default();
        f.fail_next_items(2);
        assert!(f.take_item_failure());
        assert!(f.take_item_failure());
        assert!(!f.take_item_failure());
        f.record_call("X");
        f.record_call("X");
        assert_eq!(f.calls("X"), 2);
        assert_eq!(f.calls("Y"), 0);
    }
}
