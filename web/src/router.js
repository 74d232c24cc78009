// Routes: /console/… is the staff console (desktop first), /m and /report
// are the resident pages (phone first). The public and resident pages are
// part of the entry chunk, so on a slow network they come in the same round
// of requests as the app itself, right after index.html; the request page
// and the console's pages (with Element Plus and ECharts) are chunks of
// their own, and the console's never load on the resident pages.
import { createRouter, createWebHistory } from 'vue-router';
import { useSession } from './stores/session.js';
import { useMeta } from './stores/meta.js';
import { loadConsoleMessages } from './i18n/index.js';
import { dropEarly } from './api.js';
import Start from './views/Start.vue';
import Login from './views/Login.vue';
import ResidentHome from './views/resident/ResidentHome.vue';
import Report from './views/resident/Report.vue';

const staff = (name) => () => import(`./views/staff/${name}.vue`);

const routes = [
  { path: '/', redirect: '/start' },
  { path: '/start', component: Start, meta: { public: true } },
  { path: '/login', component: Login, meta: { public: true } },
  {
    path: '/console',
    // The console's messages load alongside its layout.
    component: () => Promise.all([import('./views/staff/StaffLayout.vue'), loadConsoleMessages()]).then(([m]) => m),
    meta: { staff: true },
    children: [
      { path: '', component: () => import('./views/staff/Home.vue') },
      { path: 'node/:id', component: staff('Dashboard'), props: true },
      { path: 'node/:id/people', component: staff('People'), props: true },
      { path: 'node/:id/roles', component: staff('Roles'), props: true },
      { path: 'node/:id/orgs', component: staff('Orgs'), props: true },
      { path: 'org/:id', component: staff('OrgDetail'), props: true },
      { path: 'node/:id/import', component: staff('Import'), props: true },
      { path: 'person/:id', component: staff('PersonDetail'), props: true },
      { path: 'requests', component: staff('RequestsInbox') },
      { path: 'requests/:id', component: staff('RequestDetail'), props: true },
      { path: 'users', component: staff('Users') },
      { path: 'security', component: staff('Security') },
    ],
  },
  { path: '/m', component: ResidentHome },
  // What the report form reads first (Report.vue): started with the app's
  // start (main.js), and preloaded by the server with the page (app_static
  // in src/api/api_meta.c), so it is here when the form is.
  {
    path: '/report',
    component: Report,
    meta: {
      early: (to) => {
        const place = String(to.query.place ?? '');
        return ['/api/v1/requests/categories', ...(/^[1-9][0-9]{0,14}$/.test(place) ? [`/api/v1/nodes/${place}/contacts`] : [])];
      },
    },
  },
  { path: '/m/requests/:id', component: () => import('./views/resident/MyRequest.vue'), props: true },
  { path: '/:rest(.*)*', redirect: '/start' },
];

export const router = createRouter({ history: createWebHistory(), routes });

// The reads every first page starts with (the login check, preloaded by
// index.html) and those its route declares (meta.early).
export function earlyReads() {
  const to = router.resolve(location.pathname + location.search);
  return ['/api/v1/auth/me', ...to.matched.flatMap((r) => r.meta.early?.(to) ?? [])];
}
// Early reads the first page did not take are not kept past it.
router.afterEach((to, from) => {
  if (from.matched.length) dropEarly();
});

router.beforeEach(async (to) => {
  const session = useSession();
  if (!session.checked) {
    // Fetch the page's code while the login check is on its way: on a slow
    // network the two round trips overlap instead of adding up. (The check
    // itself is preloaded by index.html.)
    for (const r of to.matched) for (const c of Object.values(r.components || {})) if (typeof c === 'function') c();
    await session.load();
  }
  if (to.meta.public) return true;
  if (!session.loggedIn) return { path: '/login', query: { next: to.fullPath } };
  if (to.meta.staff && !session.isStaff) return '/m';
  // The console's forms and labels come from the server's field
  // descriptions: loaded once, before its first page.
  if (to.meta.staff) await useMeta().load().catch(() => {});
  return true;
});
