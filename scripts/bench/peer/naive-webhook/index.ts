/**
 * The benchmark's peer: the Clerk webhook handler most tutorials show. It verifies with
 * `svix`, then does one supabase-js `upsert` per event into `profiles`, with no ledger,
 * no clock guard and no group commit. It exists only in the benchmark's own stack
 * (scripts/bench/stack-process.ts serves it next to clerk-webhook), never in
 * supabase/functions, so no deployment ever ships it. Its speed is the bar ours must beat.
 */
import { createClient } from "@supabase/supabase-js";
import { Webhook } from "svix";

const webhook = new Webhook(Deno.env.get("CLERK_WEBHOOK_SIGNING_SECRET")!.split(/[\s,]+/)[0]);
const supabase = createClient(Deno.env.get("SUPABASE_URL")!, Deno.env.get("SUPABASE_SERVICE_ROLE_KEY")!, {
  auth: { persistSession: false, autoRefreshToken: false },
});

interface ClerkUser {
  id: string;
  username: string | null;
  first_name: string | null;
  last_name: string | null;
  image_url: string | null;
  primary_email_address_id: string | null;
  email_addresses: Array<{ id: string; email_address: string }>;
  public_metadata: Record<string, unknown>;
  created_at: number;
  updated_at: number;
}

Deno.serve(async (request) => {
  const body = await request.text();
  let event: { type: string; timestamp: number; data: ClerkUser };
  try {
    event = webhook.verify(body, {
      "svix-id": request.headers.get("svix-id") ?? "",
      "svix-timestamp": request.headers.get("svix-timestamp") ?? "",
      "svix-signature": request.headers.get("svix-signature") ?? "",
    }) as typeof event;
  } catch {
    return new Response("invalid signature", { status: 400 });
  }
  if (event.type !== "user.created" && event.type !== "user.updated") return new Response("ignored");
  const user = event.data;
  const { error } = await supabase.from("profiles").upsert({
    clerk_id: user.id,
    username: user.username,
    first_name: user.first_name,
    last_name: user.last_name,
    image_url: user.image_url,
    email: user.email_addresses.find((e) => e.id === user.primary_email_address_id)?.email_address ?? null,
    public_metadata: user.public_metadata,
    clerk_created_at: new Date(user.created_at).toISOString(),
    clerk_updated_at: new Date(user.updated_at).toISOString(),
    // Required by the table; a tutorial's own table would not have them.
    event_at: new Date(event.timestamp).toISOString(),
    event_id: request.headers.get("svix-id"),
  });
  if (error) return new Response(error.message, { status: 500 });
  return new Response("ok");
});
