// Live mode through Chromium's own Bluetooth emulation (CDP BluetoothEmulation on the browser
// target, DeviceAccess on the page): an emulated Nordic Thingy:52 is chosen in the real device
// chooser flow, the app walks the real GATT chain (reads the motion configuration and writes it
// back at 50 Hz), samples arrive, the student answers, the connection drops and comes back.
// CDP cannot push a notification, so the harness reads the characteristic the app subscribed
// to and answers each read with a raw-data sample: Chromium fires the app's
// `characteristicvaluechanged` listener for it.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { serveDist, readStoredZip, screenshot } from './harness.mjs';

const MOTION = 'ef680400-9b35-4933-9b10-52ffa9740042';
const CONFIG = 'ef680401-9b35-4933-9b10-52ffa9740042';
const RAW = 'ef680406-9b35-4933-9b10-52ffa9740042';
const CCCD = '00002902-0000-1000-8000-00805f9b34fb';
const ADDRESS = '09:09:09:09:09:01';
// The firmware's defaults (Nordic-Thingy52-FW, include/modules/m_motion.h, MOTION_DEFAULT_CONFIG):
// steps every 1000 ms, temperature and magnetometer compensation every 500 ms, 10 Hz, wake on motion.
const DEFAULT_CONFIG = Buffer.from([0xe8, 0x03, 0xf4, 0x01, 0xf4, 0x01, 10, 0, 1]);

let server;
let browser;

before(async () => {
  server = await serveDist();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--enable-blink-features=WebBluetooth'],
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** One raw-data notification: acc in Q6.10 g, gyro in Q11.5 deg/s, compass ignored. */
function rawSample(k) {
  const bytes = Buffer.alloc(18);
  const t = k / 50;
  const acc = [0.3 * Math.sin(2 * Math.PI * 0.7 * t), -0.9, 0.1];
  const gyro = [40 * Math.sin(2 * Math.PI * 0.5 * t), 10, -5];
  acc.forEach((v, i) => bytes.writeInt16LE(Math.round(v * 1024), i * 2));
  gyro.forEach((v, i) => bytes.writeInt16LE(Math.round(v * 32), 6 + i * 2));
  return bytes.toString('base64');
}

test('an emulated Thingy:52 streams through the real Web Bluetooth stack and reconnects', async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  // Keep the characteristic the app subscribes to, so the harness can make it deliver samples.
  await context.addInitScript(() => {
    const start = BluetoothRemoteGATTCharacteristic.prototype.startNotifications;
    BluetoothRemoteGATTCharacteristic.prototype.startNotifications = function () {
      if (this.uuid === 'ef680406-9b35-4933-9b10-52ffa9740042') window.__raw = this;
      return start.call(this);
    };
  });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  const cdp = await browser.newBrowserCDPSession();
  const pageCdp = await context.newCDPSession(page);
  await page.goto(server.url);
  await page.waitForSelector('[data-models-ready="true"]', { timeout: 60_000 });

  await cdp.send('BluetoothEmulation.enable', { state: 'powered-on', leSupported: true });
  await cdp.send('BluetoothEmulation.simulatePreconnectedPeripheral', {
    address: ADDRESS, name: 'Thingy', manufacturerData: [], knownServiceUuids: [MOTION],
  });
  let sample = 0;
  const written = [];
  const uuidOf = new Map(); // characteristicId -> uuid
  let services = false;
  cdp.on('BluetoothEmulation.gattOperationReceived', async ({ address, type }) => {
    if (type === 'connection' && !services) {
      // The emulated peripheral forgets its services on every disconnection: add them again.
      services = true;
      const { serviceId } = await cdp.send('BluetoothEmulation.addService', { address, serviceUuid: MOTION });
      const props = { read: true, write: true, notify: true };
      for (const uuid of [CONFIG, RAW]) {
        const { characteristicId } = await cdp.send('BluetoothEmulation.addCharacteristic', { serviceId, characteristicUuid: uuid, properties: props });
        uuidOf.set(characteristicId, uuid);
        await cdp.send('BluetoothEmulation.addDescriptor', { characteristicId, descriptorUuid: CCCD });
      }
    }
    await cdp.send('BluetoothEmulation.simulateGATTOperationResponse', { address, type, code: 0 });
  });
  cdp.on('BluetoothEmulation.characteristicOperationReceived', async ({ characteristicId, type, data }) => {
    const respond = (extra = {}) =>
      cdp.send('BluetoothEmulation.simulateCharacteristicOperationResponse', { characteristicId, type, code: 0, ...extra });
    if (type === 'read') {
      // Reads of the configuration get the defaults; reads of the raw data, the next sample.
      const isConfig = uuidOf.get(characteristicId) === CONFIG;
      await respond({ data: isConfig ? DEFAULT_CONFIG.toString('base64') : rawSample(sample++) });
    } else {
      if (data) written.push([...Buffer.from(data, 'base64')]);
      await respond();
    }
  });
  cdp.on('BluetoothEmulation.descriptorOperationReceived', async ({ descriptorId, type }) => {
    await cdp.send('BluetoothEmulation.simulateDescriptorOperationResponse', { descriptorId, type, code: 0 });
  });
  await pageCdp.send('DeviceAccess.enable');
  const prompted = new Set();
  pageCdp.on('DeviceAccess.deviceRequestPrompted', async ({ id, devices }) => {
    if (prompted.has(id) || devices.length === 0) return;
    prompted.add(id);
    await pageCdp.send('DeviceAccess.selectPrompt', { id, deviceId: devices[0].id });
  });

  await page.getByTestId('mode-live').click();
  await page.getByTestId('ble-profile').selectOption('thingy52');
  await page.getByTestId('connect-ble').click();
  await page.waitForFunction(() => window.__raw, null, { timeout: 20_000 });
  // The app read the configuration and wrote it back with the raw rate at 50 Hz.
  for (let i = 0; i < 100 && written.length === 0; i++) await page.waitForTimeout(50);
  assert.deepEqual(written[0], [0xe8, 0x03, 0xf4, 0x01, 0xf4, 0x01, 50, 0, 1]);

  const pump = (ms) =>
    page.evaluate(async (ms) => {
      const end = performance.now() + ms;
      while (performance.now() < end) {
        await window.__raw.readValue().catch(() => {});
        await new Promise((r) => setTimeout(r, 20));
      }
    }, ms);
  // More than one window of samples: the live models' windows are 4 s.
  await pump(5000);
  assert.equal(await page.getByTestId('ble-status').getAttribute('data-status'), 'streaming');
  await page.waitForFunction(() => document.querySelector('[data-testid=student-prediction]')?.innerText !== '—', null, { timeout: 10_000 });
  // Recording runs through the drop below.
  await page.getByTestId('record-name').fill('thingy');
  await page.getByTestId('record').click();
  await pump(1500);
  const beforeDrop = Number(await page.getByTestId('record-status').getAttribute('data-frames'));
  assert.ok(beforeDrop > 15, `${beforeDrop} frames recorded before the drop`);

  // The peripheral drops the connection; the app reconnects by itself and streams again.
  await cdp.send('BluetoothEmulation.simulateGATTDisconnection', { address: ADDRESS });
  services = false;
  await page.evaluate(() => { window.__raw = null; });
  await page.waitForFunction(() => document.querySelector('[data-testid=ble-status]')?.dataset.status !== 'streaming', null, { timeout: 5_000 });
  await page.waitForFunction(() => window.__raw, null, { timeout: 20_000 });
  await pump(1000);
  assert.equal(await page.getByTestId('ble-status').getAttribute('data-status'), 'streaming');
  assert.match(await page.getByTestId('ble-devices').innerText(), /Thingy.*reconnects 1/);
  // The recording is complete: what was recorded before the drop and after the reconnect,
  // saved when stopped, exported as two parts around the gap.
  await pump(1000);
  const atStop = Number(await page.getByTestId('record-status').getAttribute('data-frames'));
  assert.ok(atStop > beforeDrop + 10, `recording went on after the reconnect: ${beforeDrop} -> ${atStop} frames`);
  await page.getByTestId('stop-record').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=recordings] li')?.dataset.state === 'stopped', null, { timeout: 5_000 });
  const saved = Number(await page.locator('[data-testid=recordings] li').first().getAttribute('data-frames'));
  assert.ok(saved >= atStop, `${saved} frames saved of ${atStop} recorded`);
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').first().click()]);
  const files = readStoredZip(await readFile(await file.path()));
  const parts = [...files.keys()].filter((n) => n.endsWith('.csv'));
  assert.equal(parts.length, 2, `two parts around the drop: ${[...files.keys()]}`);
  const rows = parts.reduce((n, p) => n + files.get(p).trim().split('\n').length - 1, 0);
  assert.equal(rows, saved);
  await screenshot(page, 'live-emulated-thingy');
  assert.deepEqual(problems, []);
  await context.close();
});
