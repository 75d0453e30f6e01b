//! Route handlers, one module per resource. Handlers validate input, run index work on the
//! blocking pool and convert the results into [`crate::wire`] types.

pub mod admin;
pub mod barriers;
pub mod check;
pub mod documents;
pub mod dossier;
pub mod feeds;
pub mod health;
pub mod records;
pub mod search;
pub mod watchlists;

use biaozhun_index::IndexError;

use crate::error::ApiError;

/// Maps an index error: bad paging or filters are the client's mistake, the rest is ours.
pub fn index_error(e: IndexError) -> ApiError {
    match e {
        IndexError::BadRequest(message) => ApiError::invalid(message),
        other => ApiError::internal(&other),
    }
}
