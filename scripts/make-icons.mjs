// Writes the app's PNG icons (pwa/icon-192.png, icon-512.png, icon-maskable-512.png): a white
// "T" on the app's blue, drawn pixel by pixel and PNG-encoded with node's zlib. Hand-written
// because no image tool is installed here; run it again after changing the drawing.
//   node scripts/make-icons.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'pwa');
const BLUE = [0x0b, 0x6b, 0xcb];
const WHITE = [0xff, 0xff, 0xff];

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** An RGB PNG of `size` px; `safe` is the share of the side the glyph may use. */
function icon(size, safe, rounded) {
  const rows = [];
  const t = (v) => v * size * safe + (size * (1 - safe)) / 2;
  const inRect = (x, y, x0, y0, x1, y1) => x >= t(x0) && x < t(x1) && y >= t(y0) && y < t(y1);
  const r = size * 0.18;
  for (let y = 0; y < size; y++) {
    const row = [0]; // filter: none
    for (let x = 0; x < size; x++) {
      // Rounded corners (outside them: the page background, as the OS draws no mask).
      const cx = Math.min(x, size - 1 - x);
      const cy = Math.min(y, size - 1 - y);
      const outside = rounded && cx < r && cy < r && Math.hypot(r - cx, r - cy) > r;
      const glyph = inRect(x, y, 0.2, 0.2, 0.8, 0.34) || inRect(x, y, 0.43, 0.2, 0.57, 0.82);
      row.push(...(outside ? [0xf6, 0xf7, 0xf9] : glyph ? WHITE : BLUE));
    }
    rows.push(Buffer.from(row));
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

writeFileSync(join(out, 'icon-192.png'), icon(192, 0.8, true));
writeFileSync(join(out, 'icon-512.png'), icon(512, 0.8, true));
// Maskable: the glyph inside the central 80 % safe zone, the background to the edges.
writeFileSync(join(out, 'icon-maskable-512.png'), icon(512, 0.6, false));
console.log(`icons written to ${out}`);
