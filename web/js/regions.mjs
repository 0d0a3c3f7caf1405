// Region lists (province → regency → district → village), served beside the app and cached by the
// service worker: /regions/index.json (provinces), /regions/regencies.json (every province's
// regencies, one file) and /regions/{parent}.json below. Shared by the registration journey and the
// member's address change.
let regencies = null;

async function list(file) {
  const response = await fetch(`/regions/${file}.json`);
  if (!response.ok) throw new Error(String(response.status));
  return response.json();
}

export async function regionOptions(parent) {
  try {
    const children = /^\d{2}$/.test(parent) ? (await (regencies ??= list('regencies')))[parent] : await list(parent);
    return (children ?? []).map((r) => [r.code, r.name]);
  } catch {
    regencies = null;  // offline, or not there: the caller says so, and the next call tries again
    return null;
  }
}
