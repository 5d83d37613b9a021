import { defineConfig } from "vitest/config";

export default defineConfig({
  define: { __ORCH8_BUILD__: JSON.stringify("test-build") },
  test: {
    environment: "happy-dom",
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
  },
});
