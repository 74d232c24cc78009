// Small helpers shared by the resident pages (no dependencies, so the
// phone pages stay small).

// The server answers in both languages, "中文 / English": the half for the
// current locale (the whole text when it is not bilingual).
export function pick(text, locale) {
  if (typeof text !== 'string') return '';
  const i = text.indexOf(' / ');
  if (i < 0) return text;
  return String(locale).startsWith('zh') ? text.slice(0, i) : text.slice(i + 3);
}

// An error as a sentence for the resident: the network, or the API's message.
export function errorText(e, t, locale) {
  if (!e) return '';
  if (e.name === 'TypeError' || e.status === undefined) return t('res.offline');
  return pick(e.message, locale) || t('common.error');
}

// Runs fn when the page is idle (after its own loading), for prefetching
// the code of the next page.
export function whenIdle(fn) {
  const run = () => Promise.resolve().then(fn).catch(() => {});
  if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: 5000 });
  else setTimeout(run, 1500);
}

export function formatSize(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

// What the resident may choose (the documented limit of a photo) …
export const PHOTO_MAX = 5 * 1024 * 1024;
// … and what is sent in one request: a server accepts JSON-sized bodies
// (1 MiB by default) on the photo route, and a cheap phone on a slow
// network should not send megabytes anyway, so bigger photos are scaled
// down to a JPEG first.
export const UPLOAD_TARGET = 900 * 1024;

async function decode(file) {
  if (typeof createImageBitmap === 'function') {
    try {
      return await createImageBitmap(file, { imageOrientation: 'from-image' });
    } catch {
      /* fall back to an <img> */
    }
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return img;
  } finally {
    URL.revokeObjectURL(url);
  }
}

// The photo as it will be uploaded: unchanged when small enough, otherwise
// scaled to at most 1600 px (then 1200, 900) as JPEG. Returns the original
// when the browser cannot decode it (the server then says what is wrong).
export async function shrinkPhoto(file, target = UPLOAD_TARGET) {
  if (!file || file.size <= target) return file;
  let img;
  try {
    img = await decode(file);
  } catch {
    return file;
  }
  const w0 = img.width, h0 = img.height;
  for (const side of [1600, 1200, 900, 640]) {
    const k = Math.min(1, side / Math.max(w0, h0));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(w0 * k);
    canvas.height = Math.round(h0 * k);
    canvas.getContext('2d').drawImage(img, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((r) => canvas.toBlob(r, 'image/jpeg', 0.8));
    if (blob && blob.size <= target) return blob;
  }
  return file;
}
