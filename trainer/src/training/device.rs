//! `--device`: which burn backend trains. CPU (burn's `flex`) is always there; the GPU backends
//! (wgpu: Vulkan/Metal/DX12; CUDA) are cargo features so CPU-only users do not build their
//! dependency trees. Asking for a backend that was not compiled in is a clear error, not a
//! silent fallback to the CPU.

use std::fmt;
use std::str::FromStr;

use anyhow::Result;
use burn::tensor::Device;
use serde::{Deserialize, Serialize};

/// A training device as the user names it: `cpu`, `wgpu`, `wgpu:N`, `cuda` or `cuda:N`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrainDevice {
    #[default]
    Cpu,
    /// The wgpu adapter of that index among discrete GPUs (`wgpu` alone: wgpu's default pick).
    Wgpu(Option<usize>),
    /// The CUDA device of that index.
    Cuda(usize),
}

impl FromStr for TrainDevice {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, index) = match text.split_once(':') {
            Some((name, index)) => {
                let index =
                    index.parse::<usize>().map_err(|_| format!("`{index}` in `{text}` is not a device index"))?;
                (name, Some(index))
            }
            None => (text, None),
        };
        match (name, index) {
            ("cpu", None) => Ok(Self::Cpu),
            ("wgpu", index) => Ok(Self::Wgpu(index)),
            ("cuda", index) => Ok(Self::Cuda(index.unwrap_or(0))),
            _ => Err(format!("`{text}` is not a device: use cpu, wgpu, wgpu:N, cuda or cuda:N")),
        }
    }
}

impl fmt::Display for TrainDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cpu => write!(f, "cpu"),
            Self::Wgpu(None) => write!(f, "wgpu"),
            Self::Wgpu(Some(index)) => write!(f, "wgpu:{index}"),
            Self::Cuda(index) => write!(f, "cuda:{index}"),
        }
    }
}

impl TrainDevice {
    /// The inference (non-autodiff) burn device; training uses `.autodiff()` of it.
    pub fn base(&self) -> Result<Device> {
        match *self {
            Self::Cpu => Ok(Device::flex()),
            Self::Wgpu(index) => wgpu(index),
            Self::Cuda(index) => cuda(index),
        }
    }
}

#[cfg(feature = "wgpu")]
fn wgpu(index: Option<usize>) -> Result<Device> {
    use burn::tensor::DeviceKind;
    Ok(Device::wgpu(match index {
        Some(index) => DeviceKind::DiscreteGpu(index),
        None => DeviceKind::DefaultDevice,
    }))
}

#[cfg(not(feature = "wgpu"))]
fn wgpu(_index: Option<usize>) -> Result<Device> {
    anyhow::bail!(
        "this trainer was built without wgpu: rebuild with `cargo build --release -p tsak-trainer --features wgpu`"
    )
}

#[cfg(feature = "cuda")]
fn cuda(index: usize) -> Result<Device> {
    Ok(Device::cuda(index))
}

#[cfg(not(feature = "cuda"))]
fn cuda(_index: usize) -> Result<Device> {
    anyhow::bail!(
        "this trainer was built without CUDA: rebuild with `cargo build --release -p tsak-trainer --features cuda`"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_parse_and_print_back() {
        for text in ["cpu", "wgpu", "wgpu:1", "cuda:0"] {
            assert_eq!(text.parse::<TrainDevice>().unwrap().to_string(), text);
        }
        assert_eq!("cuda".parse(), Ok(TrainDevice::Cuda(0)));
        assert!("tpu".parse::<TrainDevice>().is_err());
        assert!("cuda:x".parse::<TrainDevice>().is_err());
        assert!("cpu:1".parse::<TrainDevice>().is_err());
    }

    #[test]
    fn the_cpu_is_always_available() {
        assert!(TrainDevice::Cpu.base().is_ok());
    }

    #[cfg(not(feature = "cuda"))]
    #[test]
    fn a_backend_not_compiled_in_says_how_to_get_it() {
        let error = TrainDevice::Cuda(0).base().unwrap_err().to_string();
        assert!(error.contains("--features cuda"), "{error}");
    }
}
