// Which message the user last saw in each channel, for unread markers. Kept in this browser's
// localStorage per account: the server has no read-state API yet, so another device does not
// share it (see README "Web app").
const key = (userId: string) => `chat-read:${userId}`;

export function loadReadState(userId: string): Record<string, string> {
  try {
    const saved: unknown = JSON.parse(localStorage.getItem(key(userId)) ?? '{}');
    return saved && typeof saved === 'object' ? (saved as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export function saveReadState(userId: string, read: Record<string, string>) {
  try {
    localStorage.setItem(key(userId), JSON.stringify(read));
  } catch {
    // storage full or disabled: markers then last for this page only
  }
}
