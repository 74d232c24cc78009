// What the server says about its fields (GET /api/v1/meta/fields): every
// entity's fields with their limits and enumerations (codes with Chinese
// and English labels), and the case kinds with their states and actions.
// The UI keeps no copy of these: forms take their limits and option lists
// from here, tables and tags their labels. Loaded once per session (the
// console loads it with its messages, see router.js).
import { defineStore } from 'pinia';
import { get } from '../api.js';

let loading = null;

export const useMeta = defineStore('meta', {
  state: () => ({ entities: {}, kinds: [], loaded: false }),
  actions: {
    load() {
      loading ||= get('/api/v1/meta/fields').then((m) => {
        this.entities = m.entities;
        this.kinds = m.case_kinds;
        this.loaded = true;
      }).catch((e) => {
        loading = null; // try again on the next page
        throw e;
      });
      return loading;
    },
    // After logout the next account loads its own (the answer is the same
    // for everyone today, but nothing should outlive the session).
    reset() {
      loading = null;
      this.$reset();
    },
  },
  getters: {
    field: (s) => (entity, name) => s.entities[entity]?.fields.find((f) => f.name === name),
    kind: (s) => (path) => s.kinds.find((k) => k.path === path),
  },
});
