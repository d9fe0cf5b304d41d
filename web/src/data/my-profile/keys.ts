export const myProfileKeys = {
  all: ["my-profile"] as const,
  detail: (userId: string) => [...myProfileKeys.all, userId] as const,
};
