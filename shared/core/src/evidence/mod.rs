//! How findings read as evidence: one finding's text ([`text`], at most 1,000 characters) and a
//! control's digest text, report lines and JSON report ([`digest`]). Pure: the sinks file them.

pub mod digest;
pub mod text;
