//! 统一社会信用代码 (unified social credit code, GB 32100-2015): 18 characters from a
//! 31-character alphabet, the last one a check character over the first 17.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("统一社会信用代码应为18位，实际为{0}位")]
    Length(usize),
    #[error("统一社会信用代码第{position}位“{ch}”不是有效字符（不使用 I、O、Z、S、V）")]
    BadChar { position: usize, ch: char },
    #[error("统一社会信用代码第3至8位应为行政区划代码（数字）")]
    BadDivision,
    #[error("统一社会信用代码校验位错误：末位应为“{expected}”，实际为“{actual}”")]
    CheckChar { expected: char, actual: char },
}

/// The check character for the first 17 characters (already validated against the alphabet).
fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| ALPHABET.iter().position(|a| a == c).unwrap_or(0) as u32 * w)
        .sum();
    let c = (31 - sum % 31) % 31;
    ALPHABET[c as usize] as char
}

impl CreditCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The six-digit administrative division where the code was issued (GB/T 2260).
    pub fn division(&self) -> &str {
        &self.0[2..8]
    }

    /// Builds a valid code from 17 characters by appending the check character (test data,
    /// generators). Fails on bad characters.
    pub fn complete(first17: &str) -> Result<CreditCode, CreditCodeError> {
        let upper = first17.trim().to_ascii_uppercase();
        if upper.len() != 17 {
            return Err(CreditCodeError::Length(upper.chars().count() + 1));
        }
        let c = check_char(upper.as_bytes());
        format!("{upper}{c}").parse()
    }
}

impl FromStr for CreditCode {
    type Err = CreditCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // people paste codes with spaces and full-width letters
        let cleaned: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
                    char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
                }
                _ => c,
            })
            .collect::<String>()
            .to_ascii_uppercase();
        let n = cleaned.chars().count();
        if n != 18 {
            return Err(CreditCodeError::Length(n));
        }
        for (i, ch) in cleaned.chars().enumerate() {
            if !ch.is_ascii() || !ALPHABET.contains(&(ch as u8)) {
                return Err(CreditCodeError::BadChar {
                    position: i + 1,
                    ch,
                });
            }
        }
        let b = cleaned.as_bytes();
        if !b[2..8].iter().all(u8::is_ascii_digit) {
            return Err(CreditCodeError::BadDivision);
        }
        let expected = check_char(&b[..17]);
        let actual = b[17] as char;
        if expected != actual {
            return Err(CreditCodeError::CheckChar { expected, actual });
        }
        Ok(CreditCode(cleaned))
    }
}

impl TryFrom<String> for CreditCode {
    type Error = CreditCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<CreditCode> for String {
    fn from(c: CreditCode) -> String {
        c.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CreditCode({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_codes() {
        // published codes of well-known companies, and the standard's own example
        for ok in [
            "91350100M000100Y43",
            "914403001922038216",
            "91110000100010433L",
            " 9132 0594 MA1MXRN669 ",
        ] {
            let r = ok.parse::<CreditCode>();
            assert!(r.is_ok(), "{ok}: {r:?}");
        }
        assert_eq!(
            "91350100m000100y43".parse::<CreditCode>().unwrap().as_str(),
            "91350100M000100Y43"
        );
        assert_eq!(
            "91350100M000100Y43"
                .parse::<CreditCode>()
                .unwrap()
                .division(),
            "350100"
        );
    }

    #[test]
    fn invalid_codes_say_what_is_wrong() {
        use CreditCodeError::*;
        let cases: [(&str, CreditCodeError); 5] = [
            ("9135010", Length(7)),
            ("91350100M000100Y4399", Length(20)),
            (
                "91350100M0001I0Y43",
                BadChar {
                    position: 14,
                    ch: 'I',
                },
            ),
            ("91AB0100M000100Y43", BadDivision),
            (
                "91350100M000100Y44",
                CheckChar {
                    expected: '3',
                    actual: '4',
                },
            ),
        ];
        for (input, want) in cases {
            assert_eq!(input.parse::<CreditCode>().unwrap_err(), want, "{input}");
        }
    }

    #[test]
    fn complete_appends_the_check_character() {
        let c = CreditCode::complete("91320594MA1MXRN66").unwrap();
        assert_eq!(c.as_str(), "91320594MA1MXRN669");
    }
}
