import { createApp } from 'vue';
import { createPinia } from 'pinia';
import './style.css';
// Element Plus is loaded by the staff console only (StaffLayout), so the
// resident pages stay small for cheap phones on slow networks.
import App from './App.vue';
import { router, earlyReads } from './router.js';
import { i18n } from './i18n/index.js';
import { usePrefs } from './stores/prefs.js';
import { getEarly } from './api.js';

// First the page's first reads (see api.js), then the app.
getEarly(earlyReads());
const app = createApp(App);
app.use(createPinia());
app.use(router);
app.use(i18n);
usePrefs().apply();
// Mounted once the first page is known: one render and one paint, not an
// empty frame first.
router.isReady().finally(() => app.mount('#app'));
