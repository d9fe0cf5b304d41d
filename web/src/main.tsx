// The global styles first: every component's own stylesheet comes after them and may refine them.
import "./styles/global.css";
import "./styles/controls.css";
import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter, RouterProvider } from "react-router";
import { App, pageRoutes } from "./App.tsx";
import { AuthProvider } from "./auth/AuthProvider.tsx";
import { ConfigError, readConfig } from "./config.ts";
import { createQueryClient } from "./data/queryClient.ts";
import { SupabaseProvider } from "./data/SupabaseProvider.tsx";

const root = createRoot(document.getElementById("root")!);

try {
  const config = readConfig();
  const queryClient = createQueryClient();
  // The providers sit inside the router: Clerk's provider navigates with it.
  const router = createBrowserRouter([
    {
      element: (
        <AuthProvider supabaseUrl={config.supabaseUrl} supabaseAnonKey={config.supabaseAnonKey} clerkPublishableKey={config.clerkPublishableKey}>
          <SupabaseProvider url={config.supabaseUrl} anonKey={config.supabaseAnonKey}>
            <QueryClientProvider client={queryClient}>
              <App />
            </QueryClientProvider>
          </SupabaseProvider>
        </AuthProvider>
      ),
      children: pageRoutes,
    },
  ]);
  root.render(
    <StrictMode>
      <RouterProvider router={router} />
    </StrictMode>,
  );
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  root.render(
    <main className="page">
      <div className="state state--error" role="alert">
        <h1 className="state__title">The dashboard is not configured</h1>
        <p className="state__text">{error.message}</p>
      </div>
    </main>,
  );
}
