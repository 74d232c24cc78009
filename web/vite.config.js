// Vite build of the linli UI. The output (dist/) is embedded into the linli
// binary; `npm run dev` serves the UI with the API proxied to a running linli.
//
// The load path is tuned for cheap phones on slow networks (see
// bench/web3g.mjs and docs/architecture.md, "The web UI"): the resident and
// public pages are in the entry chunk, so index.html brings everything they
// need in one round of requests; the console (Element Plus, ECharts) is
// loaded only under /console.
import { pathToFileURL } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import { baseCompile } from '@intlify/message-compiler';

// The message files (src/i18n/*.js, plain data) are compiled at build time
// to the ASTs vue-i18n evaluates, so the browser gets vue-i18n without its
// message compiler (__INTLIFY_DROP_MESSAGE_COMPILER__ below). A message that
// does not compile fails the build.
function precompileMessages() {
  const FILE = /\/src\/i18n\/(?!index\.js)[^/]+\.js$/;
  return {
    name: 'linli-i18n-precompile',
    enforce: 'pre',
    async transform(code, id) {
      if (!FILE.test(id)) return null;
      const mod = await import(`${pathToFileURL(id).href}?t=${Date.now()}`);
      const compile = (v, key) => {
        if (typeof v === 'string') {
          let err = null;
          const { ast } = baseCompile(v, { jit: true, minify: true, location: false, onError: (e) => (err ||= e) });
          if (err) this.error(`${id}: message ${key}: ${err.message}`);
          return ast;
        }
        if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, compile(x, key ? `${key}.${k}` : k)]));
        this.error(`${id}: message ${key} is not a string`);
      };
      // JSON.parse of a string is quicker for the phone to load than the
      // same data as an object literal.
      const json = JSON.stringify(compile(mod.default, ''));
      return { code: `export default JSON.parse(${JSON.stringify(json)});\n`, map: { mappings: '' } };
    },
  };
}

export default defineConfig({
  plugins: [precompileMessages(), vue()],
  base: '/',
  define: {
    // vue-i18n: Composition API only, no <i18n-t>/v-t, no message compiler.
    __VUE_I18N_FULL_INSTALL__: 'false',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_DROP_MESSAGE_COMPILER__: 'true',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        // Big libraries in their own long-cached chunks; the resident pages
        // do not load Element Plus or ECharts at all.
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
