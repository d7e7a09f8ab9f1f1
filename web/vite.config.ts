import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, '../dist/web');

const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|xml|webmanifest|map)$/i;
const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/**
 * Writes a brotli (.br, quality 11) and a gzip (.gz, level 9) copy beside every compressible file
 * of the build, each only when smaller than the file. The server sends them to
 * clients that accept them (src/api/web.ts, preCompressed), so it never compresses a dashboard
 * file per request, and can afford the slowest, smallest settings once per build.
 */
function precompress(): Plugin {
  return {
    name: 'dao-portal-precompress',
    apply: 'build',
    async closeBundle() {
      const files = (await fs.readdir(outDir, { recursive: true })).filter((f) => COMPRESSIBLE.test(f));
      await Promise.all(
        files.map(async (file) => {
          const full = path.join(outDir, file);
          const bytes = await fs.readFile(full);
          const [br, gz] = await Promise.all([
            brotli(bytes, {
              params: {
                [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
                [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
              },
            }),
            gzip(bytes, { level: 9 }),
          ]);
          if (br.length < bytes.length) await fs.writeFile(`${full}.br`, br);
          if (gz.length < bytes.length) await fs.writeFile(`${full}.gz`, gz);
        }),
      );
    },
  };
}

// The dashboard builds into dist/web, which the API server serves (src/api/web.ts).
export default defineConfig({
  root: here,
  plugins: [react(), tailwindcss(), precompress()],
  build: {
    outDir,
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
