// Region lists (province → regency → district → village), served beside the app as
// /regions/{parent}.json and cached by the service worker. Shared by the registration journey and
// the member's address change.
export async function regionOptions(parent) {
  try {
    const response = await fetch(`/regions/${parent}.json`);
    if (!response.ok) throw new Error(String(response.status));
    return (await response.json()).map((r) => [r.code, r.name]);
  } catch {
    return null;  // offline, or not there: the caller says so
  }
}
