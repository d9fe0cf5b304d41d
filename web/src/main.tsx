// The global styles first: every component's own stylesheet comes after them and may refine them.
import "./styles/global.css";
import "./styles/controls.css";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App } from "./App.tsx";
import { AuthProvider } from "./auth/AuthProvider.tsx";
import { ConfigError, readConfig } from "./config.ts";
import { SupabaseProvider } from "./data/SupabaseProvider.tsx";

const root = createRoot(document.getElementById("root")!);

try {
  const config = readConfig();
  const queryClient = new QueryClient({
    defaultOptions: {
      // supabase-js already retries reads that fail on the network; one more try here
      // is enough before the page shows the error and its retry button.
      queries: { retry: 1, staleTime: 30_000 },
    },
  });
  root.render(
    <StrictMode>
      <BrowserRouter>
        <AuthProvider supabaseUrl={config.supabaseUrl} supabaseAnonKey={config.supabaseAnonKey} clerkPublishableKey={config.clerkPublishableKey}>
          <SupabaseProvider url={config.supabaseUrl} anonKey={config.supabaseAnonKey}>
            <QueryClientProvider client={queryClient}>
              <App />
            </QueryClientProvider>
          </SupabaseProvider>
        </AuthProvider>
      </BrowserRouter>
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
