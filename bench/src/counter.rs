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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
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
        let took = cfg
            .load::<Started>()
            .map(|s| s.0.elapsed())
            .unwrap_or_default();
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
