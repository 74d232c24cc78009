// Display preferences that persist on this device: language, large text,
// high contrast (适老化), and the reading aid (pinyin, traditional script).
import { defineStore } from 'pinia';

const load = (k, d) => {
  const v = localStorage.getItem(`linli.${k}`);
  return v === null ? d : JSON.parse(v);
};

export const usePrefs = defineStore('prefs', {
  state: () => ({
    largeText: load('largeText', false),
    highContrast: load('highContrast', false),
    pinyin: load('pinyin', false),
    traditional: load('traditional', false),
  }),
  actions: {
    set(key, value) {
      this[key] = value;
      localStorage.setItem(`linli.${key}`, JSON.stringify(value));
      this.apply();
    },
    apply() {
      const c = document.documentElement.classList;
      c.toggle('large-text', this.largeText);
      c.toggle('high-contrast', this.highContrast);
    },
  },
});
