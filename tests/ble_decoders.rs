//! Property tests of the wearable decoders: whatever bytes a device (or a broken firmware)
//! sends, decoding returns samples or an error, never a panic; a valid packet cut short is
//! an error (or, for WitMotion, whose packets may span notifications, kept until its rest
//! comes), never fewer samples passed off as whole.

use proptest::prelude::*;
use tsak::ble::profile::ProfileId;
use tsak::ble::tsak_open::Packet;

/// One valid notification per profile, as the device would send it. Polar and WitMotion frames
/// carry no sample count, so a frame cut exactly at a sample boundary would look whole: their
/// packets here hold one sample.
fn valid_packet(id: ProfileId) -> Vec<u8> {
    let le = |values: &[i16]| values.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>();
    match id {
        ProfileId::Thingy52 => le(&[0, 0, 1024, 32, 0, 0, 1, 2, 3]),
        ProfileId::Microbit => le(&[0, -1000, 0]),
        ProfileId::WitMotion => [vec![0x55, 0x61], le(&[0, 0, 2048, 0, 0, 0, 0, 0, 0])].concat(),
        ProfileId::Movesense => {
            let mut out = vec![2, tsak::ble::movesense::REFERENCE];
            out.extend(1234u32.to_le_bytes());
            out.extend([0.0f32, 0.0, 9.8, 1.0, 2.0, 3.0].iter().flat_map(|v| v.to_le_bytes()));
            out
        }
        ProfileId::PolarPmd => {
            let mut out = vec![2];
            out.extend(5_000_000_000u64.to_le_bytes());
            out.push(1);
            out.extend(le(&[0, 0, 1000]));
            out
        }
        ProfileId::TsakOpen => Packet {
            sequence: 1,
            first_sample_ms: 100,
            period_us: 20_000,
            acc_full_scale_g: 8,
            gyro_full_scale_dps: 2000,
            samples: vec![[0, 0, 4096, 1, 2, 3]; 3],
        }
        .encode(),
    }
}

#[test]
fn every_profile_decodes_its_own_valid_packet() {
    for id in ProfileId::ALL {
        let decoded = id.profile().decoder().decode(&valid_packet(id), 0.0);
        assert!(decoded.is_ok(), "{}: {decoded:?}", id.value());
    }
}

proptest! {
    #[test]
    fn random_bytes_never_panic(index in 0..ProfileId::ALL.len(), bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut decoder = ProfileId::ALL[index].profile().decoder();
        let _ = decoder.decode(&bytes, 1000.0);
        let _ = decoder.decode(&bytes, 1020.0);
    }

    #[test]
    fn truncated_packets_are_errors(index in 0..ProfileId::ALL.len(), cut in 1usize..64) {
        let id = ProfileId::ALL[index];
        let packet = valid_packet(id);
        let keep = packet.len().saturating_sub(cut);
        let mut decoder = id.profile().decoder();
        let result = decoder.decode(&packet[..keep], 0.0);
        if id == ProfileId::WitMotion {
            // WitMotion's packets may continue in the next notification (its SDKs join them):
            // a cut one gives nothing yet, and with its rest the whole sample.
            prop_assert_eq!(result.map(|d| d.samples.len()), Ok(0));
            let rest = decoder.decode(&packet[keep..], 0.0).unwrap();
            let whole = id.profile().decoder().decode(&packet, 0.0).unwrap();
            prop_assert_eq!(rest.samples, whole.samples);
        } else {
            prop_assert!(result.is_err(), "{} accepted {} of {} bytes: {:?}", id.value(), keep, packet.len(), result);
        }
    }
}
