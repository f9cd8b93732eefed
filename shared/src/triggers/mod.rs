//! Triggers: parse one kind of Lambda event, run collect → evaluate → sink, and summarise.

pub mod access_review;
pub mod cloudtrail_drift;
pub mod config_rule;

pub mod sweep;
pub use sweep::organization;
