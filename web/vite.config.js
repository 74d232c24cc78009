// Vite build of the linli UI. The output (dist/) is embedded into the linli
// binary; `npm run dev` serves the UI with the API proxied to a running linli.
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  plugins: [vue()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        // Big libraries in their own long-cached chunks; the resident pages
        // do not load ECharts at all.
        manualChunks: {
          vue: ['vue', 'vue-router', 'pinia', 'vue-i18n'],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': process.env.LINLI_API || 'http://127.0.0.1:8080',
      '/open311': process.env.LINLI_API || 'http://127.0.0.1:8080',
    },
  },
});
