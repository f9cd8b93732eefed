//! Adapters: translate AWS shapes (Config items, SDK responses) into the domain, and back.

pub mod config_api;
pub mod config_item;
