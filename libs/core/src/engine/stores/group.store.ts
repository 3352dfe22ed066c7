/** Server-side named sets of clientIds, shared by every node. */
export interface GroupStore {
  /** Adds a clientId to a group; resolves to whether it was not in it already. */
  add(group: string, clientId: string): Promise<boolean>;
  /** Removes a clientId from a group; resolves to whether it was in it. */
  remove(group: string, clientId: string): Promise<boolean>;
  members(group: string): Promise<string[]>;
  groupsOf(clientId: string): Promise<string[]>;
}
