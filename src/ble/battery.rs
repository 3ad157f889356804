//! The standard Battery Service: one byte, the charge in percent.

use super::error::DecodeError;

pub const SERVICE: &str = "0000180f-0000-1000-8000-00805f9b34fb";
pub const LEVEL: &str = "00002a19-0000-1000-8000-00805f9b34fb";
const NAME: &str = "battery level";

pub fn decode(value: &[u8]) -> Result<u8, DecodeError> {
    match value {
        [percent] if *percent <= 100 => Ok(*percent),
        [percent] => Err(DecodeError::new(NAME, format!("{percent}% is not a charge level"))),
        _ => Err(DecodeError::length(NAME, value.len(), 1)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_byte_of_percent() {
        assert_eq!(super::decode(&[87]).unwrap(), 87);
        assert!(super::decode(&[101]).is_err());
        assert!(super::decode(&[]).is_err());
        assert!(super::decode(&[1, 2]).is_err());
    }
}
