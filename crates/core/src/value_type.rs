//! How an argument check names the JS type of a wrong value ("got a number").

use serde_json::Value;

pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null or undefined",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
