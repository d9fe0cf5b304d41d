import { envelope, membershipJSON, type OrganizationJSON, organizationJSON } from "../../../scripts/simulator/payloads.ts";
import type { StackStatus } from "../../../scripts/lib/status.ts";
import { deliverEvent } from "../../support/clients.ts";
import type { CastMember } from "./cast.ts";

/**
 * Sends organization.created through the real webhook, as Clerk would. No image, so the
 * page shows the initials (the simulator's default image lives on Clerk's CDN, which a
 * test browser cannot reach).
 */
export async function createOrganization(stack: StackStatus, name: string, creator: CastMember, createdAt: number): Promise<OrganizationJSON> {
  const organization = { ...organizationJSON({ name, createdBy: creator.user.id, createdAt }), image_url: null as unknown as string, has_image: false };
  await send(stack, "organization.created", organization, createdAt);
  return organization;
}

/** Sends organizationMembership.created; returns the membership id. */
export async function addMember(stack: StackStatus, organization: OrganizationJSON, member: CastMember, role: "org:admin" | "org:member", at: number): Promise<string> {
  const membership = membershipJSON({ organization, user: member.user, role, createdAt: at });
  await send(stack, "organizationMembership.created", membership, at);
  return membership.id;
}

export async function deleteOrganization(stack: StackStatus, organization: OrganizationJSON): Promise<void> {
  await send(stack, "organization.deleted", { object: "organization", id: organization.id, deleted: true }, Date.now());
}

async function send(stack: StackStatus, type: string, data: unknown, at: number): Promise<void> {
  const { status, body } = await deliverEvent(stack, envelope(type, data, at));
  if (status !== 200) throw new Error(`${type}: ${status} ${JSON.stringify(body)}`);
}
