// Loading state of one API read: data, loading, error (the ApiError or
// network error), and run() to (re)load.
import { ref, shallowRef } from 'vue';

export function useLoad(fn) {
  const data = shallowRef(null);
  const loading = ref(false);
  const error = shallowRef(null);
  async function run(...args) {
    loading.value = true;
    error.value = null;
    try {
      data.value = await fn(...args);
    } catch (e) {
      error.value = e;
    } finally {
      loading.value = false;
    }
    return data.value;
  }
  return { data, loading, error, run };
}
