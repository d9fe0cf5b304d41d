import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

// Placeholder until the dashboard lands (issue 3).
createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <h1>Clerk ⇄ Supabase profiles</h1>
  </StrictMode>,
);
