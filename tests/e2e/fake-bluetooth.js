// A stand-in for Web Bluetooth with wearables, injected before the app loads
// (page.addInitScript). It replaces the interface classes themselves, not just
// navigator.bluetooth, because wasm-bindgen's glue calls methods through the prototypes (e.g.
// BluetoothRemoteGATTServer.prototype.connect), so every object carries its wearable (`_w`)
// rather than closing over it. A chooser asking for the tsak open profile's service gets a
// wearable streaming 50 Hz accelerometer + gyroscope, five samples per packet, with sequence
// numbers and device time; one asking for a vendor's service gets that vendor's device, packets
// laid out as its firmware sends them (src/ble/ cites the sources): a BBC micro:bit (6-byte
// milli-g samples at the period written), a WitMotion WT901BLE (0x55 0x61 packets), a
// Movesense (streaming once the IMU6 subscription is written) or a Polar Verity Sense (its
// control point answering each start with the stream's factor, then delta-compressed
// accelerometer and gyroscope frames). Each chooser call gives the next
// wearable (one per body position), each with its own clock and motion. window.__bleFake drops
// the first one's connection or loses its packets; __bleFake.all lists every wearable's state.
(() => {
  /** The motion of wearable `index` at `t` s: specific force (g) and angular rate (deg/s). */
  const motion = (t, index) => {
    const u = t + 0.37 * index;
    return {
      g: [0.3 * Math.sin(2 * Math.PI * 0.7 * u), -0.9 + 0.2 * Math.cos(2 * Math.PI * 0.4 * u), 0.1],
      w: [40 * Math.sin(2 * Math.PI * 0.5 * u), 10, -5],
    };
  };
  const int16 = (view, at, v) => view.setInt16(at, Math.max(-32768, Math.min(32767, Math.round(v))), true);

  /** Each profile: its GATT layout, rate, samples per notification and packet layout. */
  const PROFILES = [
    {
      key: 'tsak-open',
      service: 'b5a1a000-3c1e-4d6b-9a57-7473616b6f70',
      data: 'b5a1a001-3c1e-4d6b-9a57-7473616b6f70',
      others: ['b5a1a002-3c1e-4d6b-9a57-7473616b6f70'],
      rateHz: 50,
      perPacket: 5,
      name: (i) => (i === 0 ? 'tsak DIY wrist' : `tsak DIY ${i + 1}`),
      // src/ble/tsak_open.rs: header, then acc + gyro per sample.
      packet(state, samples) {
        const bytes = new Uint8Array(14 + samples.length * 12);
        const view = new DataView(bytes.buffer);
        view.setUint8(0, 1);
        view.setUint8(1, 1);
        view.setUint16(2, state.sequence & 0xffff, true);
        view.setUint32(4, state.deviceMs, true);
        view.setUint16(8, 1e6 / this.rateHz, true);
        view.setUint8(10, samples.length);
        view.setUint8(11, 8);
        view.setUint16(12, 2000, true);
        samples.forEach(({ g, w }, i) =>
          [...g.map((v) => (v * 32768) / 8), ...w.map((v) => (v * 32768) / 2000)].forEach((v, k) => int16(view, 14 + i * 12 + k * 2, v)));
        return bytes;
      },
    },
    {
      key: 'microbit',
      service: 'e95d0753-251d-470a-a062-fa1922dfa9a8',
      data: 'e95dca4b-251d-470a-a062-fa1922dfa9a8',
      others: ['e95dfb24-251d-470a-a062-fa1922dfa9a8'],
      rateHz: 50,
      perPacket: 1,
      name: (i) => `BBC micro:bit ${i + 1}`,
      // x, y, z in milli-g, i16 LE; the micro:bit reads -1 g on z lying face up.
      packet(state, [{ g }]) {
        const view = new DataView(new ArrayBuffer(6));
        g.forEach((v, k) => int16(view, k * 2, -v * 1000));
        return new Uint8Array(view.buffer);
      },
    },
    {
      key: 'witmotion',
      service: '0000ffe5-0000-1000-8000-00805f9a34fb',
      data: '0000ffe4-0000-1000-8000-00805f9a34fb',
      others: ['0000ffe9-0000-1000-8000-00805f9a34fb'],
      rateHz: 50,
      perPacket: 1,
      name: (i) => `WT901BLE68 ${i + 1}`,
      // 0x55 0x61, acc x/y/z * 32768 / 16 g, gyro * 32768 / 2000 deg/s, angles (0 here).
      packet(state, [{ g, w }]) {
        const view = new DataView(new ArrayBuffer(20));
        view.setUint8(0, 0x55);
        view.setUint8(1, 0x61);
        g.forEach((v, k) => int16(view, 2 + k * 2, (v * 32768) / 16));
        w.forEach((v, k) => int16(view, 8 + k * 2, (v * 32768) / 2000));
        return new Uint8Array(view.buffer);
      },
    },
    {
      key: 'movesense',
      service: '34802252-7185-4d5d-b431-630e7050e8f0',
      data: '34800002-7185-4d5d-b431-630e7050e8f0',
      others: ['34800001-7185-4d5d-b431-630e7050e8f0'],
      rateHz: 52,
      perPacket: 4,
      startsOnWrite: true,
      name: (i) => `Movesense ${i + 1}`,
      // [2, reference, u32 ms of the first sample, acc block (f32 m/s^2), gyro block (f32 deg/s)].
      packet(state, samples) {
        const view = new DataView(new ArrayBuffer(6 + samples.length * 24));
        view.setUint8(0, 2);
        view.setUint8(1, state.reference);
        view.setUint32(2, state.deviceMs, true);
        samples.forEach(({ g, w }, i) => {
          g.forEach((v, k) => view.setFloat32(6 + i * 12 + k * 4, v * 9.80665, true));
          w.forEach((v, k) => view.setFloat32(6 + samples.length * 12 + i * 12 + k * 4, v, true));
        });
        return new Uint8Array(view.buffer);
      },
      onWrite(w, written) {
        // Streams once subscribed: [1 (subscribe), reference, path].
        if (written[0] === 1 && w.characteristics[this.data]) {
          w.state.reference = written[1];
          w.startStreaming(w.characteristics[this.data]);
        }
      },
    },
    {
      key: 'polar-pmd',
      service: 'fb005c80-02e7-f387-1cad-8acd2d8df0c8',
      data: 'fb005c82-02e7-f387-1cad-8acd2d8df0c8',
      others: ['fb005c81-02e7-f387-1cad-8acd2d8df0c8'],
      rateHz: 52,
      perPacket: 4,
      startsOnWrite: true,
      name: (i) => `Polar Sense ${i + 1}`,
      // The factors a Verity Sense reports on start: acc in mG per count, gyro deg/s per count.
      factors: { 2: 1.0, 5: 0.061 },
      /** A delta-compressed frame: reference sample (3 x i16), then one block of 16-bit deltas. */
      frame(type, frameType, lastNs, values) {
        const view = new DataView(new ArrayBuffer(10 + 6 + 2 + (values.length - 1) * 6));
        view.setUint8(0, type);
        view.setBigUint64(1, lastNs, true);
        view.setUint8(9, 0x80 | frameType);
        values[0].forEach((v, k) => view.setInt16(10 + k * 2, v, true));
        view.setUint8(16, 16);
        view.setUint8(17, values.length - 1);
        for (let i = 1; i < values.length; i++) {
          values[i].forEach((v, k) => view.setInt16(18 + (i - 1) * 6 + k * 2, v - values[i - 1][k], true));
        }
        return new Uint8Array(view.buffer);
      },
      // Two notifications: an accelerometer frame (type 1, mG) and a gyroscope frame (type 0).
      packet(state, samples) {
        const lastNs = BigInt(Math.round(state.deviceMs + ((samples.length - 1) * 1000) / this.rateHz)) * 1_000_000n;
        const acc = samples.map(({ g }) => g.map((v) => Math.round((v * 1000) / this.factors[2])));
        const gyro = samples.map(({ w }) => w.map((v) => Math.round(v / this.factors[5])));
        return [this.frame(2, 1, lastNs, acc), this.frame(5, 0, lastNs, gyro)];
      },
      onWrite(w, written) {
        // The control point answers a start [2, type, settings] by indication, with its factor.
        if (written[0] !== 2) return;
        const type = written[1];
        const response = new DataView(new ArrayBuffer(11));
        [0xf0, 0x02, type, 0, 0, 5, 1].forEach((b, i) => response.setUint8(i, b));
        response.setFloat32(7, this.factors[type], true);
        w.characteristics[this.others[0]]?._deliver(new Uint8Array(response.buffer));
        w.state.started = [...(w.state.started ?? []), type];
        if (w.state.started.includes(2) && w.state.started.includes(5) && w.characteristics[this.data]) {
          w.startStreaming(w.characteristics[this.data]);
        }
      },
    },
  ];

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
      if (this._uuid === this._w.profile.data && !this._w.profile.startsOnWrite) this._w.startStreaming(this);
      return this;
    }
    async stopNotifications() { this._w.stopStreaming(); return this; }
    async readValue() { return new DataView(new ArrayBuffer(0)); }
    async writeValueWithResponse(bytes) {
      // A view (the app's bytes may be a view into wasm memory): copy just its bytes.
      const view = ArrayBuffer.isView(bytes) ? bytes : new Uint8Array(bytes);
      const written = Array.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
      this._w.state.writes.push(written);
      this._w.profile.onWrite?.(this._w, written);
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
    get uuid() { return this._w.profile.service; }
    async getCharacteristic(uuid) {
      if (!this._w.state.connected) throw new DOMException('GATT Server is disconnected.', 'NetworkError');
      const profile = this._w.profile;
      // One object per characteristic, as Chromium keeps them: what the app listens to is what a write answers on.
      if (uuid === profile.data || profile.others.includes(uuid)) {
        this._w.characteristics[uuid] ??= new BluetoothRemoteGATTCharacteristic(this._w, uuid);
        return this._w.characteristics[uuid];
      }
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
      if (uuid === this._w.profile.service) return new BluetoothRemoteGATTService(this._w);
      throw new DOMException(`No Services matching UUID ${uuid} found in Device.`, 'NotFoundError');
    }
  }
  class BluetoothDevice extends EventTarget {
    constructor(w) {
      super();
      this._w = w;
      this._gatt = new BluetoothRemoteGATTServer(w);
    }
    get id() { return `fake-${this._w.profile.key}-${this._w.state.index}`; }
    get name() { return this._w.profile.name(this._w.state.index); }
    get gatt() { return this._gatt; }
  }

  /** One wearable: its profile, its own connection, clock, numbering and motion (phase by `index`). */
  class Wearable {
    constructor(index, profile) {
      this.profile = profile;
      this.characteristics = {};
      this.state = {
        index, profile: profile.key, connected: false, streaming: null, sequence: 0, deviceMs: 1000 + 7 * index, sample: 0,
        writes: [], sent: 0, lose: 0, reference: 0,
      };
      this.device = new BluetoothDevice(this);
    }
    /** The next notification in the profile's layout. */
    packet() {
      const state = this.state;
      const { rateHz, perPacket } = this.profile;
      const samples = Array.from({ length: perPacket }, (_, i) => motion((state.sample + i) / rateHz, state.index));
      const bytes = this.profile.packet(state, samples);
      state.sequence += 1;
      state.sample += perPacket;
      state.deviceMs += (perPacket * 1000) / rateHz;
      return bytes;
    }
    startStreaming(characteristic) {
      const state = this.state;
      this.stopStreaming();
      // The device's clock ran on while it was away (as a real one does): so do its samples.
      if (state.stoppedAt !== undefined) {
        const missed = Math.round(((performance.now() - state.stoppedAt) * this.profile.rateHz) / 1000);
        state.sample += missed;
        state.deviceMs += (missed * 1000) / this.profile.rateHz;
      }
      state.streaming = setInterval(() => {
        const bytes = this.packet(); // made even when lost: the device's clock and numbering go on
        if (state.lose > 0) {
          state.lose -= 1;
          return;
        }
        for (const notification of Array.isArray(bytes) ? bytes : [bytes]) characteristic._deliver(notification);
        state.sent += 1;
      }, (this.profile.perPacket * 1000) / this.profile.rateHz);
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

  const wearables = [new Wearable(0, PROFILES[0])];
  class Bluetooth extends EventTarget {
    async getAvailability() { return true; }
    async requestDevice(options) {
      if (!navigator.userActivation.isActive) {
        throw new DOMException('Must be handling a user gesture to show a permission request.', 'SecurityError');
      }
      const services = (options?.filters ?? []).flatMap((f) => f.services ?? []);
      const profile = PROFILES.find((p) => services.includes(p.service));
      if (!profile) throw new DOMException('User cancelled the requestDevice() chooser.', 'NotFoundError');
      // The first chooser gives the first wearable of the profile; later ones the next, not yet connected.
      const free = wearables.find((w) => w.profile === profile && !w.state.connected && w.state.chosen === undefined);
      const chosen = free ?? new Wearable(wearables.length, profile);
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
