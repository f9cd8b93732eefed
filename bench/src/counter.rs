//! An SDK interceptor that counts, per `service:operation` (read from the operation's
//! [`Metadata`] in the config bag): operations (one per `send()`), attempts (retries included),
//! failed operations, and the time spent in them.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
    FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

/// Calls and attempts of one operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Counts {
    /// Operations started (`send()` calls).
    pub(crate) calls: u64,
    /// HTTP attempts, retries included.
    pub(crate) attempts: u64,
    /// Operations that ended in an error (after retries).
    pub(crate) errors: u64,
    /// Operations whose last response was an HTTP 5xx (on moto: mostly operations it does not
    /// implement, which the SDK retries with backoff before giving up).
    pub(crate) server_errors: u64,
    /// Time from `send()` to the result, summed over the operations.
    pub(crate) busy: Duration,
    /// The part of `busy` spent in operations that ended in a 5xx.
    pub(crate) server_error_busy: Duration,
}

/// When the current operation started (kept in the operation's config bag).
#[derive(Debug, Clone, Copy)]
struct Started(Instant);

impl Storable for Started {
    type Storer = StoreReplace<Self>;
}

enum Event {
    Call,
    Attempt,
    Done {
        failed: bool,
        server_error: bool,
        took: Duration,
    },
}

/// Shared counters; clone it into every client's config.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallCounter {
    counts: Arc<Mutex<BTreeMap<(String, String), Counts>>>,
    /// (start, end, ended in a 5xx) of every operation, for [`CallCounter::only_5xx_in_flight`].
    spans: Arc<Mutex<Vec<(Instant, Instant, bool)>>>,
}

impl CallCounter {
    fn bump(&self, cfg: &ConfigBag, event: Event) {
        let (service, operation) = match cfg.load::<Metadata>() {
            Some(m) => (m.service().to_owned(), m.name().to_owned()),
            None => ("unknown".to_owned(), "unknown".to_owned()),
        };
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = counts.entry((service, operation)).or_default();
        match event {
            Event::Call => entry.calls += 1,
            Event::Attempt => entry.attempts += 1,
            Event::Done {
                failed,
                server_error,
                took,
            } => {
                entry.errors += u64::from(failed);
                entry.busy += took;
                if server_error {
                    entry.server_errors += 1;
                    entry.server_error_busy += took;
                }
            }
        }
    }

    /// Counts so far, by (service, operation).
    pub(crate) fn snapshot(&self) -> BTreeMap<(String, String), Counts> {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Forgets every count (e.g. the set-up calls made before the measured run).
    pub(crate) fn reset(&self) {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.spans
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Wall-clock time during which operations that ended in a 5xx were in flight and no other
    /// operation was: the time such operations (on moto: unimplemented ones, retried with
    /// backoff) cost the run on their own.
    pub(crate) fn only_5xx_in_flight(&self) -> Duration {
        let spans = self
            .spans
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        // Sweep line over (time, change in 5xx in flight, change in others in flight).
        let mut events: Vec<(Instant, i64, i64)> = Vec::with_capacity(spans.len() * 2);
        for (start, end, server_error) in spans {
            let (e, o) = if server_error { (1, 0) } else { (0, 1) };
            events.push((start, e, o));
            events.push((end, -e, -o));
        }
        events.sort_by_key(|(t, e, o)| (*t, *e + *o));
        let (mut errors, mut others) = (0_i64, 0_i64);
        let mut total = Duration::ZERO;
        let mut last: Option<Instant> = None;
        for (t, e, o) in events {
            if let Some(prev) = last
                && errors > 0
                && others == 0
            {
                total += t.saturating_duration_since(prev);
            }
            errors += e;
            others += o;
            last = Some(t);
        }
        total
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().store_put(Started(Instant::now()));
        Ok(())
    }

    // Counted here rather than in `read_before_execution`: a client-level interceptor runs that
    // hook before the operation's configuration (and its `Metadata`) is in the bag.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.bump(cfg, Event::Call);
        Ok(())
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.bump(cfg, Event::Attempt);
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let failed = !matches!(context.output_or_error(), Some(Ok(_)));
        let server_error = failed
            && context
                .response()
                .is_some_and(|r| r.status().as_u16() >= 500);
        let now = Instant::now();
        let started = cfg.load::<Started>().map_or(now, |s| s.0);
        let took = now.saturating_duration_since(started);
        self.spans
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((started, now, server_error));
        self.bump(
            cfg,
            Event::Done {
                failed,
                server_error,
                took,
            },
        );
        Ok(())
    }
}

/// Serde for counts keyed by (service, operation): a list of pairs (JSON keys are strings only).
pub(crate) mod as_pairs {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serializer};

    use super::Counts;

    type Map = BTreeMap<(String, String), Counts>;

    pub(crate) fn serialize<S: Serializer>(map: &Map, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(map.iter())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Map, D::Error> {
        Ok(
            Vec::<((String, String), Counts)>::deserialize(deserializer)?
                .into_iter()
                .collect(),
        )
    }
}
