// Document files the tests make themselves: structurally sound JPEGs (with EXIF and a comment to
// strip), PNGs and PDFs. The checks read structure, not pixels, so no encoder is needed.
import { deflateSync } from 'node:zlib';

const be16 = (v) => [v >> 8, v & 0xff];
const segment = (marker, payload) => [0xff, marker, ...be16(payload.length + 2), ...payload];
const ascii = (s) => [...Buffer.from(s, 'latin1')];

export function jpeg(width, height, { metadata = true, bulk = 4000 } = {}) {
  const bytes = [0xff, 0xd8, ...segment(0xe0, ascii('JFIF\0\x01\x01\0\0\x01\0\x01\0\0'))];
  if (metadata) {
    bytes.push(...segment(0xe1, ascii('Exif\0\0GPSLatitude=-6.9175;GPSLongitude=107.6191')));
    bytes.push(...segment(0xfe, ascii('Foto di rumah')));
  }
  bytes.push(...segment(0xdb, new Array(65).fill(1)));
  bytes.push(...segment(0xc0, [8, ...be16(height), ...be16(width), 1, 1, 0x11, 0]));
  bytes.push(...segment(0xda, [1, 1, 0, 0, 0x3f, 0]));
  for (let i = 0; i < bulk; i++) bytes.push(i % 251);
  bytes.push(0xff, 0xd9);
  return Uint8Array.from(bytes);
}

export const pdf = () => Uint8Array.from(ascii(
  '%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n' +
  '3 0 obj <</Type /Page /Parent 2 0 R>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n'));

export const scriptedPdf = () => Uint8Array.from(ascii('%PDF-1.4\n1 0 obj <</OpenAction <</S /JavaScript /JS (x)>> >> endobj\n%%EOF\n'));

// A PDF 1.5 whose objects all live in one compressed object stream, found through an xref
// stream: names such as /JavaScript never appear in the file's bytes, only after inflating.
// `catalogExtra` is added to the catalog dictionary; `extraObjects` are more objects (numbered
// from 4) in the same stream.
export function pdfWithObjectStream(catalogExtra = '', extraObjects = []) {
  const objects = [`<</Type/Catalog/Pages 3 0 R${catalogExtra}>>`, '<</Type/Pages/Kids[]/Count 0>>', ...extraObjects];
  const numbers = objects.map((_, i) => i + 2);  // 2, 3, then 4…; object 1 is the stream itself
  let header = '', body = '';
  objects.forEach((o, i) => { header += `${numbers[i]} ${body.length} `; body += `${o}\n`; });
  const packed = deflateSync(Buffer.from(header + body, 'latin1'));
  const parts = [Buffer.from('%PDF-1.5\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offset = () => parts.reduce((n, p) => n + p.length, 0);
  const streamAt = offset();
  parts.push(Buffer.from(`1 0 obj\n<</Type/ObjStm/N ${objects.length}/First ${header.length}/Filter/FlateDecode/Length ${packed.length}>>\nstream\n`, 'latin1'),
    packed, Buffer.from('\nendstream\nendobj\n', 'latin1'));
  const xrefNumber = numbers.length + 2;
  const xrefAt = offset();
  // One row an object: type (1 byte), field 2 (4 bytes), field 3 (2 bytes).
  const row = (type, a, b) => Buffer.from([type, (a >>> 24) & 255, (a >>> 16) & 255, (a >>> 8) & 255, a & 255, (b >> 8) & 255, b & 255]);
  const rows = [row(0, 0, 0xffff), row(1, streamAt, 0), ...objects.map((_, i) => row(2, 1, i)), row(1, xrefAt, 0)];
  const table = Buffer.concat(rows);
  parts.push(Buffer.from(`${xrefNumber} 0 obj\n<</Type/XRef/Size ${xrefNumber + 1}/W[1 4 2]/Root 2 0 R/Length ${table.length}>>\nstream\n`, 'latin1'),
    table, Buffer.from(`\nendstream\nendobj\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1'));
  return Uint8Array.from(Buffer.concat(parts));
}
