//! How findings read as evidence: one finding's text ([`text`], at most 1,000 characters), a
//! control's digest text, report lines and JSON report ([`digest`]), and the auditor's HTML report
//! of a sweep run ([`html`]) with its verdict counts and trend ([`trend`]). Pure: the sinks file
//! them.

pub mod digest;
pub mod html;
pub mod text;
pub mod trend;
