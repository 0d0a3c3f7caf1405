// A small tus 1.0 client: creates an upload, sends it in pieces, and after a cut asks the server
// where it stopped (HEAD) and goes on from there instead of starting over.
const PIECE = 256 * 1024;
const HEADERS = { 'Tus-Resumable': '1.0.0' };

export class UploadInterrupted extends Error {}

// Uploads `blob`; `location` resumes an earlier upload. `progress(sent, total)` and
// `remember(location)` (called once the upload exists) keep the caller informed.
export async function upload(blob, { location, progress = () => {}, remember = () => {} } = {}) {
  if (!location) {
    const created = await fetch('/api/v1/uploads', { method: 'POST', headers: { ...HEADERS, 'Upload-Length': String(blob.size) } });
    if (created.status !== 201) throw new Error(`upload refused: ${created.status}`);
    location = created.headers.get('Location');
    await remember(location);
  }
  const head = await fetch(location, { method: 'HEAD', headers: HEADERS });
  if (head.status === 404) return upload(blob, { progress, remember });  // expired: start anew
  let offset = Number(head.headers.get('Upload-Offset'));
  while (offset < blob.size) {
    progress(offset, blob.size);
    let answer;
    try {
      answer = await fetch(location, {
        method: 'PATCH', body: blob.slice(offset, offset + PIECE),
        headers: { ...HEADERS, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(offset) },
      });
    } catch {
      throw new UploadInterrupted('connection lost');
    }
    if (answer.status === 409) {  // the server has another offset: ask it
      offset = Number((await fetch(location, { method: 'HEAD', headers: HEADERS })).headers.get('Upload-Offset'));
      continue;
    }
    if (answer.status !== 204) throw new Error(`upload refused: ${answer.status}`);
    offset = Number(answer.headers.get('Upload-Offset'));
  }
  progress(blob.size, blob.size);
  return location.split('/').pop();
}
