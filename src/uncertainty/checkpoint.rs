//! Bit-exact JSON checkpoints of the samplers' states ([`super::AbcSmc`],
//! [`super::HistoryMatching`]), so that a resumed run continues with the same bits.
//!
//! Plain `serde_json` text is not enough: without its `float_roundtrip` feature (not enabled in
//! this crate, because it would change how every other JSON input parses) it may read a float
//! back one ulp off, and a resumed sampler then drifts from an uninterrupted one. Here every
//! float is written as the hexadecimal of its bits and every string is tagged, so reading is
//! exact. Must not be used for files people read; it is a machine format.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{UqResult, invalid};

const FLOAT_TAG: &str = "f:";
const STRING_TAG: &str = "s:";

/// The state as JSON text in which floats and strings are tagged (see the module doc).
///
/// # Errors
/// When the state does not serialise (a non-finite float, which the samplers never store).
pub fn to_checkpoint_json<T: Serialize>(state: &T) -> UqResult<String> {
    let value = serde_json::to_value(state).map_err(|e| invalid!("checkpoint: {e}"))?;
    serde_json::to_string(&encode(value)).map_err(|e| invalid!("checkpoint: {e}"))
}

/// Reads a state written by [`to_checkpoint_json`].
///
/// # Errors
/// When the text is not such a checkpoint of a `T`.
pub fn from_checkpoint_json<T: DeserializeOwned>(text: &str) -> UqResult<T> {
    let value: Value = serde_json::from_str(text).map_err(|e| invalid!("checkpoint: {e}"))?;
    serde_json::from_value(decode(value)?).map_err(|e| invalid!("checkpoint: {e}"))
}

fn encode(value: Value) -> Value {
    match value {
        Value::Number(n) if n.is_f64() => Value::String(format!("{FLOAT_TAG}{:016x}", n.as_f64().unwrap_or_default().to_bits())),
        Value::String(s) => Value::String(format!("{STRING_TAG}{s}")),
        Value::Array(items) => Value::Array(items.into_iter().map(encode).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, encode(v))).collect()),
        other => other,
    }
}

fn decode(value: Value) -> UqResult<Value> {
    Ok(match value {
        Value::String(s) => {
            if let Some(hex) = s.strip_prefix(FLOAT_TAG) {
                let bits = u64::from_str_radix(hex, 16).map_err(|e| invalid!("checkpoint: bad float {hex:?}: {e}"))?;
                let number = serde_json::Number::from_f64(f64::from_bits(bits)).ok_or_else(|| invalid!("checkpoint: non-finite float"))?;
                Value::Number(number)
            } else if let Some(text) = s.strip_prefix(STRING_TAG) {
                Value::String(text.to_owned())
            } else {
                return Err(invalid!("checkpoint: untagged string {s:?}: not a checkpoint"));
            }
        }
        Value::Array(items) => Value::Array(items.into_iter().map(decode).collect::<UqResult<_>>()?),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| Ok((k, decode(v)?))).collect::<UqResult<_>>()?),
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_and_strings_round_trip_exactly() {
        // Values chosen to be awkward for decimal round trips (subnormal, many digits).
        let state = (vec![0.1 + 0.2, 1.0 / 3.0, 5e-324, -0.0, 1e300], "f:not a float".to_owned(), 7u64);
        let text = to_checkpoint_json(&state).unwrap();
        let back: (Vec<f64>, String, u64) = from_checkpoint_json(&text).unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back.0), bits(&state.0));
        assert_eq!(back.1, state.1);
        assert_eq!(back.2, 7);
        assert!(from_checkpoint_json::<(Vec<f64>, String, u64)>(r#"[["x"], "s:a", 7]"#).is_err());
    }
}
