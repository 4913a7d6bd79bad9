/**
 * How the review state's channels combine updates, shared by the LangGraph state (state.ts) and
 * the offline sequential run (sequential.ts), so both apply node updates the same way. No
 * LangGraph import here: the offline run must not load it.
 */
export const appendTo = <T>(left: T[], right: T[] | T): T[] => left.concat(right);
export const replaceWith = <T>(_left: T, right: T): T => right;

/** The channels the fan-out nodes append to; every other channel is replaced by an update. */
export const APPENDED_CHANNELS: ReadonlySet<string> = new Set(['findings', 'notes']);
