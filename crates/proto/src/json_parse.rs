//! A small JSON parser into `serde_json::Value`, for the browser SDK: serde_json's own
//! deserializer (generic over readers and visitors) costs several KB of wasm, and the SDK only
//! ever parses whole texts into `Value`s. It reads what `serde_json::from_str::<Value>` reads
//! and refuses what it refuses (the tests compare both), with one difference by design: a
//! number with a fraction or an exponent is handed to `float` (the SDK uses the engine's own
//! `parseFloat`), so that no decimal-to-float code is needed here.

use serde_json::{Map, Number, Value};

/// Nesting this deep is refused, as serde_json refuses it (no stack overflow on hostile
/// input).
const MAX_DEPTH: u32 = 128;

/// Parses one JSON text; `None` when it is not valid JSON (or a number is out of range).
pub fn parse(text: &str, float: &dyn Fn(&str) -> Option<f64>) -> Option<Value> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
        float,
    };
    let v = p.value(0)?;
    p.ws();
    (p.i == p.s.len()).then_some(v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    float: &'a dyn Fn(&str) -> Option<f64>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn eat(&mut self, lit: &[u8]) -> Option<()> {
        let end = self.i.checked_add(lit.len())?;
        (self.s.get(self.i..end)? == lit).then(|| self.i = end)
    }

    fn value(&mut self, depth: u32) -> Option<Value> {
        self.ws();
        match self.peek()? {
            b'n' => self.eat(b"null").map(|()| Value::Null),
            b't' => self.eat(b"true").map(|()| Value::Bool(true)),
            b'f' => self.eat(b"false").map(|()| Value::Bool(false)),
            b'"' => self.string().map(Value::String),
            b'[' => {
                let depth = (depth + 1 < MAX_DEPTH).then_some(depth + 1)?;
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek()? == b']' {
                    self.i += 1;
                    return Some(Value::Array(items));
                }
                loop {
                    items.push(self.value(depth)?);
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            return Some(Value::Array(items));
                        }
                        _ => return None,
                    }
                }
            }
            b'{' => {
                let depth = (depth + 1 < MAX_DEPTH).then_some(depth + 1)?;
                self.i += 1;
                let mut map = Map::new();
                self.ws();
                if self.peek()? == b'}' {
                    self.i += 1;
                    return Some(Value::Object(map));
                }
                loop {
                    self.ws();
                    if self.peek()? != b'"' {
                        return None;
                    }
                    let key = self.string()?;
                    self.ws();
                    self.eat(b":")?;
                    let v = self.value(depth)?;
                    map.insert(key, v);
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            return Some(Value::Object(map));
                        }
                        _ => return None,
                    }
                }
            }
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Option<Value> {
        let start = self.i;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.i += 1;
        }
        let int_start = self.i;
        let int_len = self.digits();
        // JSON: at least one digit, and no leading zero before more digits.
        if int_len == 0 || (int_len > 1 && self.s[int_start] == b'0') {
            return None;
        }
        let mut integral = true;
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return None;
            }
            integral = false;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return None;
            }
            integral = false;
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        if integral {
            // As serde_json: u64 if it fits, i64 if negative and it fits, else a float.
            let mut n: u64 = 0;
            let mut fits = true;
            for &d in &self.s[int_start..self.i] {
                match n
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(u64::from(d - b'0')))
                {
                    Some(next) => n = next,
                    None => fits = false,
                }
            }
            if fits && !negative {
                return Some(Value::Number(Number::from(n)));
            }
            if fits && n == 0 {
                // serde_json reads `-0` as the float -0.0.
                return Number::from_f64(-0.0).map(Value::Number);
            }
            if fits && n <= 1 << 63 {
                let v = if n == 1 << 63 { i64::MIN } else { -(n as i64) };
                return Some(Value::Number(Number::from(v)));
            }
        }
        Number::from_f64((self.float)(text)?).map(Value::Number)
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut v = 0;
        for _ in 0..4 {
            let d = char::from(self.peek()?).to_digit(16)?;
            v = v * 16 + d;
            self.i += 1;
        }
        Some(v)
    }

    /// A string, the opening quote at `self.i`.
    fn string(&mut self) -> Option<String> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            // The input is a str and the run stops only at ASCII bytes: a char boundary.
            out.push_str(std::str::from_utf8(&self.s[start..self.i]).ok()?);
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return Some(out);
                }
                b'\\' => {
                    self.i += 1;
                    let c = self.peek()?;
                    self.i += 1;
                    out.push(match c {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                // A surrogate pair: the low half must follow.
                                self.eat(b"\\u")?;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return None;
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            char::from_u32(code)?
                        }
                        _ => return None,
                    });
                }
                // A control character inside a string.
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(text: &str) -> Option<Value> {
        parse(text, &|s| s.parse().ok())
    }

    #[test]
    fn reads_what_serde_json_reads() {
        let texts = [
            "null",
            " true ",
            "false",
            "0",
            "-0",
            "7",
            "-7",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "1.5",
            "-0.25",
            "1e3",
            "2E-2",
            "1.5e+10",
            "\"\"",
            "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"",
            "\"\\u00e9\\u4e2d\\ud83d\\ude00 h\u{e9}llo \u{1F600}\"",
            "[]",
            "[1, [2, [3]], {}]",
            "{}",
            "{\"a\":1,\"b\":[true,null],\"c\":{\"d\":\"e\"}}",
            "{\"a\":1,\"a\":2}",
            " {\n\t\"k\" : \"v\" \r}\n",
            "{\"t\":\"reply\",\"id\":1,\"kind\":\"done\"}",
        ];
        for t in texts {
            let expected: Value = serde_json::from_str(t).expect(t);
            assert_eq!(ours(t), Some(expected), "{t}");
        }
    }

    #[test]
    fn refuses_what_serde_json_refuses() {
        let deep_ok = format!("{}{}", "[".repeat(127), "]".repeat(127));
        assert!(serde_json::from_str::<Value>(&deep_ok).is_ok());
        assert!(ours(&deep_ok).is_some());
        let deep = format!("{}{}", "[".repeat(128), "]".repeat(128));
        let texts = [
            "",
            " ",
            "nul",
            "truex",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "1e+",
            "+1",
            "[1,]",
            "[1 2]",
            "{\"a\"}",
            "{\"a\":}",
            "{a:1}",
            "{\"a\":1,}",
            "\"abc",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\ud800\"",
            "\"\\ud800\\u0041\"",
            "\"\\udc00\"",
            "\"a\u{1}b\"",
            "[1] x",
            "{} {}",
            "1e400",
            "NaN",
            &deep,
        ];
        for t in texts {
            assert!(
                serde_json::from_str::<Value>(t).is_err(),
                "serde_json reads {t}"
            );
            assert_eq!(ours(t), None, "{t}");
        }
    }
}
