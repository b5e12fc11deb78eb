//! Engine errors become JS errors whose `code` is the engine's stable code and whose `cause`
//! chain keeps the underlying errors; panics become INFERENCE_FAILED errors instead of crossing.

use std::panic::{catch_unwind, AssertUnwindSafe};

use napi::bindgen_prelude::*;
use napi::JsError;

/// A custom napi status: napi-rs writes it into the JS error's `code`.
struct Code(&'static str);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.0
    }
}

/// Runs `f`, turning a panic into an INFERENCE_FAILED error.
pub fn caught<T>(
    what: &str,
    f: impl FnOnce() -> semroute_embed::Result<T>,
) -> semroute_embed::Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let msg = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(semroute_embed::Error::InferenceFailed {
            context: format!("panic while {what}: {msg}"),
            source: None,
        })
    })
}

/// The JS error for `e`: `code` = e.code(), `message` = e's message, `cause` = its source chain.
pub fn to_js_error(env: &Env, e: &semroute_embed::Error) -> Error {
    let mut err = Error::new(Code(e.code()), e.to_string());
    err.cause = std::error::Error::source(e).map(|s| Box::new(cause_chain(s)));
    // Build the JS object now, on the JS thread, so the custom code survives the trip back
    // through napi's Status-typed error.
    Error::from(JsError::from(err).into_unknown(*env))
}

fn cause_chain(e: &(dyn std::error::Error + 'static)) -> Error {
    let mut err = Error::new(Status::GenericFailure, e.to_string());
    err.cause = e.source().map(|s| Box::new(cause_chain(s)));
    err
}
