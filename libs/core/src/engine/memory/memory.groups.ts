import type { GroupStore } from '../stores';

export class MemoryGroups implements GroupStore {
  private readonly groups = new Map<string, Set<string>>();

  async add(group: string, clientId: string): Promise<boolean> {
    let members = this.groups.get(group);
    if (!members) this.groups.set(group, (members = new Set()));
    const added = !members.has(clientId);
    members.add(clientId);
    return added;
  }

  async remove(group: string, clientId: string): Promise<boolean> {
    const members = this.groups.get(group);
    const removed = members?.delete(clientId) ?? false;
    if (members?.size === 0) this.groups.delete(group);
    return removed;
  }

  async members(group: string): Promise<string[]> {
    return [...(this.groups.get(group) ?? [])];
  }

  /** A group's clientIds, read now (for a delivery that must not wait). */
  clientsOf(group: string): Iterable<string> {
    return this.groups.get(group) ?? [];
  }

  async groupsOf(clientId: string): Promise<string[]> {
    return [...this.groups].filter(([, members]) => members.has(clientId)).map(([group]) => group);
  }

  clear(): void {
    this.groups.clear();
  }
}
