// Chinese first, English second. Each area of the UI keeps its own
// messages (common, staff, requests, resident); they are merged here.
import { createI18n } from 'vue-i18n';
import common from './common.js';
import staff from './staff.js';
import requests from './requests.js';
import resident from './resident.js';

const parts = [common, staff, requests, resident];
const merge = (lang) => Object.assign({}, ...parts.map((p) => p[lang] || {}));

export const i18n = createI18n({
  legacy: false,
  locale: localStorage.getItem('linli.lang') || 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': merge('zh'), en: merge('en') },
  datetimeFormats: {
    'zh-CN': { short: { year: 'numeric', month: '2-digit', day: '2-digit' }, long: { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' } },
    en: { short: { year: 'numeric', month: 'short', day: 'numeric' }, long: { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' } },
  },
  numberFormats: {
    'zh-CN': { percent: { style: 'percent', maximumFractionDigits: 1 } },
    en: { percent: { style: 'percent', maximumFractionDigits: 1 } },
  },
});
