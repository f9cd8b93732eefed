//! The pure domain: resources, policies, outcomes and findings. No SDK type and no IO here.

pub mod aws_managed;
pub mod outcome;
pub mod policy;
pub mod resource;
pub mod resources;
pub mod scope;
pub mod time;
