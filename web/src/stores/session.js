// Who is logged in, from /api/v1/auth/me; login and logout.
import { defineStore } from 'pinia';
import { get, post, setCsrf } from '../api.js';
import { useMeta } from './meta.js';

export const useSession = defineStore('session', {
  state: () => ({ me: null, checked: false }),
  getters: {
    loggedIn: (s) => !!s.me,
    // Staff: any grant or admin; residents: a household and no grants.
    isStaff: (s) => !!s.me && (s.me.is_admin || s.me.grants.length > 0 || s.me.org_id > 0),
    isResident: (s) => !!s.me && !s.me.is_admin && s.me.grants.length === 0 && s.me.household_id > 0,
  },
  actions: {
    async load() {
      try {
        this.me = await get('/api/v1/auth/me');
      } catch {
        this.me = null;
      }
      this.checked = true;
      return this.me;
    },
    // The password step. With two-factor login on, the answer is the next
    // step ({ totp_required, setup, challenge }) instead of a session.
    async login(username, password) {
      const r = await post('/api/v1/auth/login', { username, password });
      if (r.totp_required) return r;
      return this.started(r);
    },
    // The second step: the challenge and a code from the authenticator app.
    async loginTotp(challenge, code) {
      return this.started(await post('/api/v1/auth/login/totp', { challenge, code }));
    },
    started(r) {
      setCsrf(r.csrf_token);
      this.me = r.user;
      this.checked = true;
      return r.user;
    },
    async logout() {
      try {
        await post('/api/v1/auth/logout');
      } finally {
        setCsrf('');
        this.me = null;
        useMeta().reset();
      }
    },
  },
});
