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

// The channels (the request's `channel` values, from the server) a staff
// member records on a resident's behalf: not the resident's own (self, qr)
// nor an integration's (open311).
const NOT_STAFF_CHANNELS = ['self', 'qr', 'open311'];
export const staffChannels = (options) => options.filter((o) => !NOT_STAFF_CHANNELS.includes(o.value));

// An API error's message in the current language (the server's are bilingual).
export const errText = (e, locale) => pickLabel(e?.message || String(e), locale);

// A category's name in the current language, from GET /api/v1/requests/categories.
export function categoryName(categories, code, fallback, locale) {
  const c = categories.find((x) => x.code === code);
  if (!c) return fallback || code;
  return String(locale).startsWith('zh') ? c.name_zh : c.name_en;
}

