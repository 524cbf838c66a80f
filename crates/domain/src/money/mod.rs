//! Money: exact decimal amounts in a named currency, their CNY equivalent, and where the
//! figure came from. Never floating point. Amounts as officials write them (`5000万美元`,
//! `4000亿元以上`) are parsed in [`parse`] and written back in [`format`].

mod format;
#[cfg(test)]
mod format_tests;
mod lexicon;
mod numerals;
mod parse;
#[cfg(test)]
mod parse_tests;

pub use format::{format_amount, format_cny, format_money};
pub use parse::{AmountParseError, ParsedAmount, Qualifier, find_amounts, parse_amount};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An ISO 4217 currency code: three upper-case ASCII letters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    pub const CNY: Currency = Currency(*b"CNY");
    pub const USD: Currency = Currency(*b"USD");
    pub const EUR: Currency = Currency(*b"EUR");
    pub const JPY: Currency = Currency(*b"JPY");
    pub const HKD: Currency = Currency(*b"HKD");
    pub const GBP: Currency = Currency(*b"GBP");
    pub const SGD: Currency = Currency(*b"SGD");

    pub fn code(&self) -> &str {
        // always ASCII upper-case letters by construction
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    pub fn is_cny(&self) -> bool {
        *self == Currency::CNY
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("无效的币种代码“{0}”（应为三位大写字母的 ISO 4217 代码，如 CNY、USD）")]
pub struct CurrencyError(pub String);

impl FromStr for Currency {
    type Err = CurrencyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_uppercase();
        let b = t.as_bytes();
        if b.len() == 3 && b.iter().all(|c| c.is_ascii_uppercase()) {
            Ok(Currency([b[0], b[1], b[2]]))
        } else {
            Err(CurrencyError(s.to_string()))
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = CurrencyError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_string()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An exact amount in one currency, in whole currency units (元, dollars), not 万 or 亿.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub amount: Decimal,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Money { amount, currency }
    }
    pub fn cny(amount: Decimal) -> Self {
        Money::new(amount, Currency::CNY)
    }
}

/// Where a figure came from. Reports show it; only verified figures count as 实际.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// 申报: as the investor or the unit declared it
    #[default]
    Declared,
    /// 估算: an estimate (e.g. from "约", "近", a range)
    Estimated,
    /// 核实: checked against evidence by a verifier
    Verified,
}

impl Provenance {
    pub const ALL: [Provenance; 3] = [
        Provenance::Declared,
        Provenance::Estimated,
        Provenance::Verified,
    ];
    pub fn as_str(&self) -> &'static str {
        match self {
            Provenance::Declared => "declared",
            Provenance::Estimated => "estimated",
            Provenance::Verified => "verified",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Provenance::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// CNY per one unit of a currency, valid as of a date (administrators edit these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeRate {
    pub currency: Currency,
    pub cny_per_unit: Decimal,
    pub date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("汇率币种 {rate} 与金额币种 {money} 不一致")]
    RateCurrencyMismatch { money: Currency, rate: Currency },
    #[error("汇率必须大于零")]
    NonPositiveRate,
    #[error("金额不能为负数")]
    Negative,
    #[error("金额超出可记录范围")]
    Overflow,
}

/// A recorded amount: the original as given, the rate used (none for CNY), the CNY
/// equivalent, and its provenance. Reports add only `cny`, never originals of different
/// currencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    pub original: Money,
    pub rate: Option<ExchangeRate>,
    pub cny: Decimal,
    pub provenance: Provenance,
}

impl Amount {
    /// Converts `original` to CNY with `rate` (ignored and may be `None` for CNY amounts).
    pub fn new(
        original: Money,
        rate: Option<ExchangeRate>,
        provenance: Provenance,
    ) -> Result<Amount, MoneyError> {
        if original.amount.is_sign_negative() && !original.amount.is_zero() {
            return Err(MoneyError::Negative);
        }
        if original.currency.is_cny() {
            return Ok(Amount {
                original,
                rate: None,
                cny: original.amount,
                provenance,
            });
        }
        let rate = rate.ok_or(MoneyError::RateCurrencyMismatch {
            money: original.currency,
            rate: Currency::CNY,
        })?;
        if rate.currency != original.currency {
            return Err(MoneyError::RateCurrencyMismatch {
                money: original.currency,
                rate: rate.currency,
            });
        }
        if rate.cny_per_unit <= Decimal::ZERO {
            return Err(MoneyError::NonPositiveRate);
        }
        let cny = original
            .amount
            .checked_mul(rate.cny_per_unit)
            .ok_or(MoneyError::Overflow)?
            .round_dp(2);
        Ok(Amount {
            original,
            rate: Some(rate),
            cny,
            provenance,
        })
    }

    /// The CNY equivalent in 分 (hundredths), the integer the store sums.
    pub fn cny_fen(&self) -> Result<i64, MoneyError> {
        to_fen(self.cny)
    }
}

/// CNY yuan to 分, rounding half away from zero to the nearest 分.
pub fn to_fen(yuan: Decimal) -> Result<i64, MoneyError> {
    use rust_decimal::prelude::ToPrimitive;
    (yuan * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .ok_or(MoneyError::Overflow)
}

/// 分 back to yuan, exactly.
pub fn from_fen(fen: i64) -> Decimal {
    Decimal::new(fen, 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn currency_codes_are_validated() {
        assert_eq!("usd".parse::<Currency>().unwrap(), Currency::USD);
        for bad in ["", "US", "USDX", "U1D", "美元"] {
            assert!(bad.parse::<Currency>().is_err(), "{bad}");
        }
    }

    #[test]
    fn usd_converts_to_cny_with_the_rate_kept() {
        let rate = ExchangeRate {
            currency: Currency::USD,
            cny_per_unit: dec!(7.0846),
            date: d(2023, 12, 31),
        };
        let a = Amount::new(
            Money::new(dec!(100000000), Currency::USD),
            Some(rate),
            Provenance::Declared,
        )
        .unwrap();
        assert_eq!(a.cny, dec!(708460000.00));
        assert_eq!(a.cny_fen().unwrap(), 70_846_000_000);
        assert_eq!(a.rate.unwrap().date, d(2023, 12, 31));
    }

    #[test]
    fn conversion_errors() {
        let eur = ExchangeRate {
            currency: Currency::EUR,
            cny_per_unit: dec!(7.66),
            date: d(2023, 1, 1),
        };
        let usd = Money::new(dec!(1), Currency::USD);
        assert!(matches!(
            Amount::new(usd, Some(eur), Provenance::Declared),
            Err(MoneyError::RateCurrencyMismatch { .. })
        ));
        assert!(Amount::new(usd, None, Provenance::Declared).is_err());
        let zero = ExchangeRate {
            cny_per_unit: Decimal::ZERO,
            currency: Currency::USD,
            ..eur
        };
        assert_eq!(
            Amount::new(usd, Some(zero), Provenance::Declared),
            Err(MoneyError::NonPositiveRate)
        );
        assert_eq!(
            Amount::new(Money::cny(dec!(-1)), None, Provenance::Declared),
            Err(MoneyError::Negative)
        );
    }

    #[test]
    fn fen_round_trip() {
        assert_eq!(
            from_fen(to_fen(dec!(400000000000)).unwrap()),
            dec!(400000000000.00)
        );
        assert_eq!(to_fen(dec!(0.005)).unwrap(), 1);
    }
}
