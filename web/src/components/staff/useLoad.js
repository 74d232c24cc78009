// Loading and error state of one API call, so every page shows the same
// "loading…" and the server's own error message. A newer call wins over
// an older one that answers late (fast filter changes).
import { ref } from 'vue';

export function useLoad(fn) {
  const data = ref(null);
  const loading = ref(false);
  const error = ref(null);
  let seq = 0;
  async function run(...args) {
    const mine = ++seq;
    loading.value = true;
    error.value = null;
    try {
      const r = await fn(...args);
      if (mine === seq) data.value = r;
      return r;
    } catch (e) {
      if (mine === seq) error.value = e;
      return undefined;
    } finally {
      if (mine === seq) loading.value = false;
    }
  }
  return { data, loading, error, run };
}
