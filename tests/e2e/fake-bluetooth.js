// A stand-in for Web Bluetooth with wearables speaking the tsak open profile, injected before
// the app loads (page.addInitScript). It replaces the interface classes themselves, not just
// navigator.bluetooth, because wasm-bindgen's glue calls methods through the prototypes (e.g.
// BluetoothRemoteGATTServer.prototype.connect), so every object carries its wearable (`_w`)
// rather than closing over it. Once the app starts notifications a wearable streams 50 Hz
// accelerometer + gyroscope samples, five per packet, with sequence numbers and device time.
// Each chooser call gives the next wearable (one per body position), each with its own clock
// and motion. window.__bleFake drops the first one's connection or loses its packets;
// __bleFake.all lists every wearable's state.
(() => {
  const SERVICE = 'b5a1a000-3c1e-4d6b-9a57-7473616b6f70';
  const DATA = 'b5a1a001-3c1e-4d6b-9a57-7473616b6f70';
  const CONTROL = 'b5a1a002-3c1e-4d6b-9a57-7473616b6f70';
  const RATE_HZ = 50;
  const PER_PACKET = 5;

  class BluetoothRemoteGATTCharacteristic extends EventTarget {
    constructor(w, uuid) {
      super();
      this._w = w;
      this._uuid = uuid;
      this._value = null;
    }
    get uuid() { return this._uuid; }
    get value() { return this._value; }
    async startNotifications() {
      if (!this._w.state.connected) throw new DOMException('GATT Server is disconnected.', 'NetworkError');
      if (this._uuid === DATA) this._w.startStreaming(this);
      return this;
    }
    async stopNotifications() { this._w.stopStreaming(); return this; }
    async readValue() { return new DataView(new ArrayBuffer(0)); }
    async writeValueWithResponse(bytes) {
      // A view (the app's bytes may be a view into wasm memory): copy just its bytes.
      const view = ArrayBuffer.isView(bytes) ? bytes : new Uint8Array(bytes);
      this._w.state.writes.push(Array.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength)));
    }
    async writeValue(bytes) { return this.writeValueWithResponse(bytes); }
    _deliver(bytes) {
      this._value = new DataView(bytes.buffer);
      this.dispatchEvent(new Event('characteristicvaluechanged'));
    }
  }
  class BluetoothRemoteGATTService extends EventTarget {
    constructor(w) {
      super();
      this._w = w;
    }
    get uuid() { return SERVICE; }
    async getCharacteristic(uuid) {
      if (!this._w.state.connected) throw new DOMException('GATT Server is disconnected.', 'NetworkError');
      if (uuid === DATA || uuid === CONTROL) return new BluetoothRemoteGATTCharacteristic(this._w, uuid);
      throw new DOMException(`No Characteristics matching UUID ${uuid} found in Service.`, 'NotFoundError');
    }
  }
  class BluetoothRemoteGATTServer {
    constructor(w) { this._w = w; }
    get connected() { return this._w.state.connected; }
    async connect() {
      await new Promise((r) => setTimeout(r, 30));
      this._w.state.connected = true;
      return this;
    }
    disconnect() { this._w.drop(); }
    async getPrimaryService(uuid) {
      if (!this._w.state.connected) throw new DOMException('GATT Server is disconnected.', 'NetworkError');
      if (uuid === SERVICE) return new BluetoothRemoteGATTService(this._w);
      throw new DOMException(`No Services matching UUID ${uuid} found in Device.`, 'NotFoundError');
    }
  }
  class BluetoothDevice extends EventTarget {
    constructor(w) {
      super();
      this._w = w;
      this._gatt = new BluetoothRemoteGATTServer(w);
    }
    get id() { return `fake-tsak-open-${this._w.state.index}`; }
    get name() { return this._w.state.index === 0 ? 'tsak DIY wrist' : `tsak DIY ${this._w.state.index + 1}`; }
    get gatt() { return this._gatt; }
  }

  /** One wearable: its own connection, clock, numbering and motion (phase by `index`). */
  class Wearable {
    constructor(index) {
      this.state = {
        index, connected: false, streaming: null, sequence: 0, deviceMs: 1000 + 7 * index, sample: 0,
        writes: [], sent: 0, lose: 0,
      };
      this.device = new BluetoothDevice(this);
    }
    /** One tsak open packet (see src/ble/tsak_open.rs): header, then acc + gyro per sample. */
    packet() {
      const state = this.state;
      const bytes = new Uint8Array(14 + PER_PACKET * 12);
      const view = new DataView(bytes.buffer);
      view.setUint8(0, 1);
      view.setUint8(1, 1);
      view.setUint16(2, state.sequence & 0xffff, true);
      view.setUint32(4, state.deviceMs, true);
      view.setUint16(8, 1e6 / RATE_HZ, true);
      view.setUint8(10, PER_PACKET);
      view.setUint8(11, 8);
      view.setUint16(12, 2000, true);
      for (let i = 0; i < PER_PACKET; i++) {
        const t = (state.sample + i) / RATE_HZ + 0.37 * state.index;
        const g = [0.3 * Math.sin(2 * Math.PI * 0.7 * t), -0.9 + 0.2 * Math.cos(2 * Math.PI * 0.4 * t), 0.1];
        const w = [40 * Math.sin(2 * Math.PI * 0.5 * t), 10, -5];
        [...g.map((v) => (v * 32768) / 8), ...w.map((v) => (v * 32768) / 2000)].forEach((v, k) =>
          view.setInt16(14 + i * 12 + k * 2, Math.round(v), true),
        );
      }
      state.sequence += 1;
      state.sample += PER_PACKET;
      state.deviceMs += (PER_PACKET * 1000) / RATE_HZ;
      return bytes;
    }
    startStreaming(characteristic) {
      const state = this.state;
      this.stopStreaming();
      // The device's clock ran on while it was away (as a real one does): so do its samples.
      if (state.stoppedAt !== undefined) {
        const missed = Math.round(((performance.now() - state.stoppedAt) * RATE_HZ) / 1000);
        state.sample += missed;
        state.deviceMs += (missed * 1000) / RATE_HZ;
      }
      state.streaming = setInterval(() => {
        const bytes = this.packet(); // made even when lost: the device's clock and numbering go on
        if (state.lose > 0) {
          state.lose -= 1;
          return;
        }
        characteristic._deliver(bytes);
        state.sent += 1;
      }, (PER_PACKET * 1000) / RATE_HZ);
    }
    stopStreaming() {
      if (this.state.streaming !== null) this.state.stoppedAt = performance.now();
      clearInterval(this.state.streaming);
      this.state.streaming = null;
    }
    drop() {
      if (!this.state.connected) return;
      this.state.connected = false;
      this.stopStreaming();
      this.device.dispatchEvent(new Event('gattserverdisconnected'));
    }
  }

  const wearables = [new Wearable(0)];
  class Bluetooth extends EventTarget {
    async getAvailability() { return true; }
    async requestDevice(options) {
      if (!navigator.userActivation.isActive) {
        throw new DOMException('Must be handling a user gesture to show a permission request.', 'SecurityError');
      }
      const services = (options?.filters ?? []).flatMap((f) => f.services ?? []);
      if (!services.includes(SERVICE)) throw new DOMException('User cancelled the requestDevice() chooser.', 'NotFoundError');
      // The first chooser gives the first wearable; later ones the next, not yet connected.
      const free = wearables.find((w) => !w.state.connected && w.state.chosen === undefined);
      const chosen = free ?? new Wearable(wearables.length);
      if (!free) wearables.push(chosen);
      chosen.state.chosen = true;
      return chosen.device;
    }
  }

  for (const cls of [Bluetooth, BluetoothDevice, BluetoothRemoteGATTServer, BluetoothRemoteGATTService, BluetoothRemoteGATTCharacteristic]) {
    Object.defineProperty(window, cls.name, { value: cls, configurable: true, writable: true });
  }
  const bluetooth = new Bluetooth();
  Object.defineProperty(Navigator.prototype, 'bluetooth', { configurable: true, get: () => bluetooth });
  const first = wearables[0];
  window.__bleFake = {
    state: first.state,
    drop: () => first.drop(),
    /** Loses the next `n` packets on the air (the device sent them; they never arrive). */
    lose(n) {
      first.state.lose = n;
    },
    get all() { return wearables.map((w) => w.state); },
  };
})();
