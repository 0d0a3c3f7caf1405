// Real, decodable images the browser tests make themselves (PNG: zlib from Node): a sharp page of
// "text", and a large noisy "phone photo" that must leave the device at most 400 KB.
import { deflateSync, crc32 } from 'node:zlib';

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

export function png(width, height, pixel) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;  // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      const at = y * (width * 3 + 1) + 1 + x * 3;
      raw[at] = r; raw[at + 1] = g; raw[at + 2] = b;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; header[9] = 2;  // 8-bit RGB
  return Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// Dark strokes on light paper.
export const page = (width = 1400, height = 1000) => png(width, height, (x, y) => {
  const ink = (Math.floor(y / 14) % 3 !== 2) && (x % 17 < 5 || (x + y) % 23 === 0) && x > 60 && x < width - 60;
  return ink ? [30, 30, 40] : [235, 232, 220];
});

// A big phone photo of a document: the page, lit unevenly, with sensor noise (about 4 MB).
export const photo = (width = 1700, height = 1250) => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  return png(width, height, (x, y) => {
    const ink = (Math.floor(y / 24) % 3 !== 2) && (x % 29 < 8) && x > 100 && x < width - 100;
    const light = 200 - Math.floor((x + y) / 60);
    const base = ink ? 40 : light;
    return [0, 1, 2].map(() => Math.max(0, Math.min(255, base + Math.floor(rand() * 24) - 12)));
  });
};
