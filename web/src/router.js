// Routes: /console/… is the staff console (desktop first), /m and /report
// are the resident pages (phone first). Every page is its own chunk.
import { createRouter, createWebHistory } from 'vue-router';
import { useSession } from './stores/session.js';

const staff = (name) => () => import(`./views/staff/${name}.vue`);
const resident = (name) => () => import(`./views/resident/${name}.vue`);

const routes = [
  { path: '/', redirect: '/start' },
  { path: '/start', component: () => import('./views/Start.vue'), meta: { public: true } },
  { path: '/login', component: () => import('./views/Login.vue'), meta: { public: true } },
  {
    path: '/console',
    component: () => import('./views/staff/StaffLayout.vue'),
    meta: { staff: true },
    children: [
      { path: '', component: () => import('./views/staff/Home.vue') },
      { path: 'node/:id', component: staff('Dashboard'), props: true },
      { path: 'node/:id/people', component: staff('People'), props: true },
      { path: 'node/:id/roles', component: staff('Roles'), props: true },
      { path: 'node/:id/import', component: staff('Import'), props: true },
      { path: 'person/:id', component: staff('PersonDetail'), props: true },
      { path: 'requests', component: staff('RequestsInbox') },
      { path: 'requests/:id', component: staff('RequestDetail'), props: true },
      { path: 'users', component: staff('Users') },
    ],
  },
  { path: '/m', component: resident('ResidentHome') },
  { path: '/report', component: resident('Report') },
  { path: '/m/requests/:id', component: resident('MyRequest'), props: true },
  { path: '/:rest(.*)*', redirect: '/start' },
];

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach(async (to) => {
  const session = useSession();
  if (!session.checked) {
    // Fetch the page's code while the login check is on its way: on a slow
    // network the two round trips overlap instead of adding up.
    for (const r of to.matched) for (const c of Object.values(r.components || {})) if (typeof c === 'function') c();
    await session.load();
  }
  if (to.meta.public) return true;
  if (!session.loggedIn) return { path: '/login', query: { next: to.fullPath } };
  if (to.meta.staff && !session.isStaff) return '/m';
  return true;
});
