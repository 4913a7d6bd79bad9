/** Which messages of an archive a run reads. */
export interface MessageFilter {
  since?: Date;
  until?: Date;
  /** Keep only the newest N (after the date filter). */
  limit?: number;
}
