import { createApp } from 'vue';
import { createPinia } from 'pinia';
import './style.css';
// Element Plus is loaded by the staff console only (StaffLayout), so the
// resident pages stay small for cheap phones on slow networks.
import App from './App.vue';
import { router } from './router.js';
import { i18n } from './i18n/index.js';
import { usePrefs } from './stores/prefs.js';

const app = createApp(App);
app.use(createPinia());
app.use(router);
app.use(i18n);
usePrefs().apply();
app.mount('#app');
