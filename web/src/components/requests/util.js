// Small helpers shared by the request components (no UI library here, so
// the resident pages can use them too).

// The server's bilingual labels read "中文 / English": pick the locale's half.
export function pickLabel(label, locale) {
  if (!label) return '';
  const i = label.indexOf(' / ');
  if (i < 0) return label;
  return String(locale).startsWith('zh') ? label.slice(0, i) : label.slice(i + 3);
}

// An API timestamp (ISO UTC) in the locale's long format; '' when absent.
export function fmtTime(d, iso, style = 'long') {
  if (!iso) return '';
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : d(t, style);
}

// Channels a staff member may record on a resident's behalf.
export const STAFF_CHANNELS = ['visit', 'box', 'book', 'wechat', 'phone', 'walkin', 'patrol'];
export const STATUSES = ['new', 'accepted', 'waiting', 'referred', 'resolved', 'closed'];

// An API error's message in the current language (the server's are bilingual).
export const errText = (e, locale) => pickLabel(e?.message || String(e), locale);

// A category's name in the current language, from GET /api/v1/categories.
export function categoryName(categories, code, fallback, locale) {
  const c = categories.find((x) => x.code === code);
  if (!c) return fallback || code;
  return String(locale).startsWith('zh') ? c.name_zh : c.name_en;
}

