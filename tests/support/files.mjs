// Document files the tests make themselves: structurally sound JPEGs (with EXIF and a comment to
// strip), PNGs and PDFs. The checks read structure, not pixels, so no encoder is needed.
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
