import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

// The dashboard builds into dist/web, which the API server serves (src/api/web.ts).
export default defineConfig({
  root: here,
  plugins: [react(), tailwindcss()],
  build: {
    outDir: path.resolve(here, '../dist/web'),
    emptyOutDir: true,
    sourcemap: false,
    // ECharts (~200 KB gzipped) is one lazily loaded chunk, fetched with the first chart only.
    chunkSizeWarningLimit: 700,
    // Split the heavy, rarely changing libraries so pages stay small and cache well.
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts';
          if (id.includes('node_modules/marked') || id.includes('node_modules/dompurify')) return 'markdown';
          return undefined;
        },
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8000' } },
});
