// Snowflake ids are decimal strings of up to 19 digits: compare by length, then text (no BigInt
// needed, and exact beyond 2^53).
export const compareIds = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
