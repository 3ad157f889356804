//! Why a notification could not be decoded. Every error names the profile and says what was
//! expected, so a user pairing a DIY board can fix its firmware from the message alone.

/// A packet that does not match its profile's layout.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{profile}: {message}")]
pub struct DecodeError {
    /// The profile's name, e.g. `Nordic Thingy:52`.
    pub profile: &'static str,
    pub message: String,
}

impl DecodeError {
    pub fn new(profile: &'static str, message: impl Into<String>) -> Self {
        DecodeError { profile, message: message.into() }
    }

    /// A packet of the wrong size.
    pub fn length(profile: &'static str, got: usize, expected: impl std::fmt::Display) -> Self {
        DecodeError::new(profile, format!("a {got}-byte packet, expected {expected} bytes"))
    }
}

/// Little-endian readers that turn a short packet into a [`DecodeError`] instead of a panic.
pub struct Bytes<'a> {
    profile: &'static str,
    data: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    pub fn new(profile: &'static str, data: &'a [u8]) -> Self {
        Bytes { profile, data, at: 0 }
    }

    pub fn remaining(&self) -> usize {
        self.data.len() - self.at
    }

    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.remaining() < n {
            return Err(DecodeError::new(
                self.profile,
                format!("truncated packet: {} bytes, needed {} at offset {}", self.data.len(), self.at + n, self.at),
            ));
        }
        let slice = &self.data[self.at..self.at + n];
        self.at += n;
        Ok(slice)
    }

    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    pub fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_le_bytes(self.take(2)?.try_into().expect("2 bytes")))
    }

    pub fn i16(&mut self) -> Result<i16, DecodeError> {
        Ok(i16::from_le_bytes(self.take(2)?.try_into().expect("2 bytes")))
    }

    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }

    pub fn u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }

    pub fn f32(&mut self) -> Result<f32, DecodeError> {
        Ok(f32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }

    /// Three little-endian i16 values.
    pub fn i16x3(&mut self) -> Result<[i16; 3], DecodeError> {
        Ok([self.i16()?, self.i16()?, self.i16()?])
    }
}
