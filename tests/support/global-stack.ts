import type { TestProject } from "vitest/node";
import type { StackStatus } from "../../scripts/lib/status.ts";
import { startTestStack } from "./test-stack.ts";

declare module "vitest" {
  export interface ProvidedContext {
    stack: StackStatus;
  }
}

export default async function setup(project: TestProject) {
  const stack = await startTestStack();
  project.provide("stack", stack.status);
  return () => stack.stop();
}
