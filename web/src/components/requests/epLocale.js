// Element Plus's own texts (dialog close, select "no data"…) in our
// language. Kept apart from util.js, which the resident pages share.
import zhCn from 'element-plus/es/locale/lang/zh-cn.mjs';
import enEp from 'element-plus/es/locale/lang/en.mjs';

export const epLocale = (locale) => (String(locale).startsWith('zh') ? zhCn : enEp);
