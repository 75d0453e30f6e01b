//! JSON wire types: the public contract of the API, converted from index and model types at the
//! edge. Nothing outside this crate derives `Serialize` for clients.

pub mod barriers;
pub mod check;
pub mod dossier;
pub mod records;
pub mod search;
