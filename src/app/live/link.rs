//! The Web Bluetooth side of a wearable: choosing it (inside a click), and the GATT chain that
//! must be walked again after every disconnect (service and characteristic objects die with
//! the connection): connect, find the profile's service, listen to its data characteristic
//! (and control point), start notifications, then the profile's setup writes.

use std::rc::Rc;

use gloo_events::EventListener;
use js_sys::{JsString, Promise, Uint8Array};
use wasm_bindgen::convert::FromWasmAbi;
use wasm_bindgen::prelude::*;
use web_sys::{
    Bluetooth, BluetoothDevice, BluetoothLeScanFilterInit, BluetoothRemoteGattCharacteristic,
    BluetoothRemoteGattService, Event, RequestDeviceOptions,
};

use crate::app::browser::{clock_ms, describe_js_error};
use crate::ble::battery;
use crate::ble::profile::{Profile, SetupStep};

/// Bytes of a notification and the page time it arrived.
pub type OnPacket = Rc<dyn Fn(Vec<u8>, f64)>;

/// Why this browser cannot stream from wearables, or its Bluetooth object.
pub fn bluetooth() -> Result<Bluetooth, String> {
    let window = web_sys::window().ok_or("no window")?;
    if !js_sys::Reflect::has(&window.navigator(), &"bluetooth".into()).unwrap_or(false) {
        return Err("This browser has no Web Bluetooth. It works in Chrome and Edge on Android, ChromeOS, macOS \
                    and Windows (on Linux behind chrome://flags/#enable-experimental-web-platform-features); \
                    Firefox and Safari do not offer it."
            .into());
    }
    window.navigator().bluetooth().ok_or_else(|| "Web Bluetooth is switched off in this browser".into())
}

async fn wait<T: FromWasmAbi + 'static>(promise: Promise<T>, what: &str) -> Result<T, String> {
    promise.await.map_err(|e| format!("{what}: {}", describe_js_error(&e)))
}

/// Opens the browser's device chooser for devices offering the profile's service. Must run
/// inside the click that asked for it (user activation).
pub async fn choose(profile: &Profile) -> Result<BluetoothDevice, String> {
    let bluetooth = bluetooth()?;
    let filter = BluetoothLeScanFilterInit::new();
    filter.set_services(&[JsString::from(profile.service)]);
    let options = RequestDeviceOptions::new();
    options.set_filters(&[filter]);
    options.set_optional_services(&[JsString::from(battery::SERVICE)]);
    wait(bluetooth.request_device(&options), "choosing a device").await
}

/// A connected device's streams; dropping it stops listening (each listener removes itself).
pub struct OpenLink {
    _listeners: Vec<EventListener>,
    /// The battery level read at connection, where the device has the service.
    pub battery: Option<u8>,
}

fn listen(characteristic: &BluetoothRemoteGattCharacteristic, on_packet: OnPacket) -> EventListener {
    EventListener::new(characteristic, "characteristicvaluechanged", move |event: &Event| {
        let Some(target) = event.target() else { return };
        let characteristic: BluetoothRemoteGattCharacteristic = target.unchecked_into();
        if let Some(view) = characteristic.value() {
            let bytes = Uint8Array::new_with_byte_offset_and_length(
                &view.buffer(),
                view.byte_offset() as u32,
                view.byte_length() as u32,
            );
            on_packet(bytes.to_vec(), clock_ms());
        }
    })
}

async fn characteristic(
    service: &BluetoothRemoteGattService,
    uuid: &str,
) -> Result<BluetoothRemoteGattCharacteristic, String> {
    wait(service.get_characteristic_with_str(uuid), &format!("finding characteristic {uuid}")).await
}

async fn read(characteristic: &BluetoothRemoteGattCharacteristic) -> Result<Vec<u8>, String> {
    let view = wait(characteristic.read_value(), "reading a characteristic").await?;
    Ok(Uint8Array::new_with_byte_offset_and_length(
        &view.buffer(),
        view.byte_offset() as u32,
        view.byte_length() as u32,
    )
    .to_vec())
}

async fn write(characteristic: &BluetoothRemoteGattCharacteristic, bytes: &[u8]) -> Result<(), String> {
    let promise = characteristic.write_value_with_response_with_u8_slice(bytes).map_err(|e| describe_js_error(&e))?;
    wait(promise, "writing the device's settings").await.map(|_| ())
}

/// Walks the GATT chain of `profile` on a chosen device and starts its stream.
pub async fn open(
    device: &BluetoothDevice,
    profile: &Profile,
    on_data: OnPacket,
    on_control: OnPacket,
) -> Result<OpenLink, String> {
    let gatt = device.gatt().ok_or("the device has no GATT server")?;
    let server = wait(gatt.connect(), "connecting").await?;
    let service =
        wait(server.get_primary_service_with_str(profile.service), &format!("finding the {} service", profile.name))
            .await?;
    let data = characteristic(&service, profile.data).await?;
    let mut listeners = vec![listen(&data, on_data)];
    wait(data.start_notifications(), "starting notifications").await?;
    if let Some(uuid) = profile.control {
        let control = characteristic(&service, uuid).await?;
        listeners.push(listen(&control, on_control));
        wait(control.start_notifications(), "starting control point indications").await?;
    }
    for step in &profile.setup {
        match step {
            SetupStep::Write { characteristic: uuid, bytes } => {
                write(&characteristic(&service, uuid).await?, bytes).await?
            }
            SetupStep::Rewrite { characteristic: uuid, change } => {
                let target = characteristic(&service, uuid).await?;
                let current = read(&target).await?;
                write(&target, &change(&current).map_err(|e| e.to_string())?).await?;
            }
        }
    }
    Ok(OpenLink { _listeners: listeners, battery: battery_level(&server).await })
}

/// The battery level, when the device offers the standard service (not an error otherwise).
async fn battery_level(server: &web_sys::BluetoothRemoteGattServer) -> Option<u8> {
    let service = wait(server.get_primary_service_with_str(battery::SERVICE), "battery").await.ok()?;
    let level = characteristic(&service, battery::LEVEL).await.ok()?;
    battery::decode(&read(&level).await.ok()?).ok()
}
