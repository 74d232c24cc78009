// Chinese first, English second. Each area of the UI keeps its own
// messages (common, staff, requests, resident); they are merged here.
// The messages are compiled at build time (vite.config.js), so vue-i18n
// runs without its message compiler. The resident and public pages need
// only common and resident: the console's messages come with its code
// (loadConsoleMessages, called by the router), keeping the phone pages'
// first download small.
import { createI18n } from 'vue-i18n';
import common from './common.js';
import resident from './resident.js';

const LOCALES = { 'zh-CN': 'zh', en: 'en' };
const merge = (parts, lang) => Object.assign({}, ...parts.map((p) => p[lang] || {}));

export const i18n = createI18n({
  legacy: false,
  locale: localStorage.getItem('linli.lang') || 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: Object.fromEntries(Object.entries(LOCALES).map(([loc, lang]) => [loc, merge([common, resident], lang)])),
  datetimeFormats: {
    'zh-CN': { short: { year: 'numeric', month: '2-digit', day: '2-digit' }, long: { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' } },
    en: { short: { year: 'numeric', month: 'short', day: 'numeric' }, long: { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' } },
  },
  numberFormats: {
    'zh-CN': { percent: { style: 'percent', maximumFractionDigits: 1 } },
    en: { percent: { style: 'percent', maximumFractionDigits: 1 } },
  },
});

// The staff console's messages (staff, requests), added once.
let consoleMessages = null;
export function loadConsoleMessages() {
  consoleMessages ||= Promise.all([import('./staff.js'), import('./requests.js')]).then((mods) => {
    const parts = mods.map((m) => m.default);
    for (const [loc, lang] of Object.entries(LOCALES))
      i18n.global.setLocaleMessage(loc, { ...i18n.global.getLocaleMessage(loc), ...merge(parts, lang) });
  });
  consoleMessages.catch(() => (consoleMessages = null));
  return consoleMessages;
}
