/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev` proxies the API (and its WebSocket) to BRANDPULSE_API_URL, default the API's own default port.
const api = process.env.BRANDPULSE_API_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  server: { proxy: { "/api": { target: api, ws: true } } },
  // The dashboard's lazily loaded charts chunk is G2 (~1.6 MB, ~480 kB gzip); everything else is far smaller.
  build: { chunkSizeWarningLimit: 1700 },
  test: { include: ["src/**/*.test.ts"], environment: "node" },
});
