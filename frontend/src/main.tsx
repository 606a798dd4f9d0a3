/** Entry point: providers (theme, queries, router) around the app shell and the route table. */
import { QueryClientProvider } from "@tanstack/react-query";
import { App as AntApp, ConfigProvider, theme } from "antd";
import { StrictMode, Suspense } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter, Navigate, RouterProvider } from "react-router";

import AppLayout from "./components/AppLayout";
import { PageSkeleton } from "./components/PageState";
import NotFound from "./components/NotFound";
import { HOME, ROUTES } from "./routes";
import { queryClient } from "./services/queryClient";
import { useThemeMode } from "./theme";
import "./global.css";

const router = createBrowserRouter([
  {
    element: <AppLayout />,
    children: [
      { index: true, element: <Navigate to={HOME} replace /> },
      ...ROUTES.map(({ path, component: Page }) => ({
        path,
        element: (
          <Suspense fallback={<PageSkeleton />}>
            <Page />
          </Suspense>
        ),
      })),
      { path: "*", element: <NotFound /> },
    ],
  },
]);

function Root() {
  const [mode] = useThemeMode();
  return (
    <ConfigProvider
      theme={{
        algorithm: mode === "dark" ? theme.darkAlgorithm : theme.defaultAlgorithm,
        token: { colorPrimary: "#1677ff", borderRadius: 8 },
      }}
    >
      <AntApp>
        <QueryClientProvider client={queryClient}>
          <RouterProvider router={router} />
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
