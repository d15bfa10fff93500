/**
 * Sessions each seeded user holds, in every scenario that seeds many: a few devices per person, as in real use. A
 * user's session list is read for the anomaly warnings, so this sets that list's length, not only the table's size.
 */
export const SESSIONS_PER_USER = 4;
