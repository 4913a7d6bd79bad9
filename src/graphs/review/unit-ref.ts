import type { ChangeSet } from '../../model/changeset.js';

/**
 * The unit's change set as a rules task carries it. LangGraph deep-copies every plain object of a
 * Send payload (to revive nested Sends and Commands) but passes class instances through: with the
 * change set plain, one Send per patch copying the whole of it made a 400-patch series take
 * minutes and gigabytes.
 *
 * Its own module: routes.ts needs the class as a value, and taking it from state.ts would load
 * LangGraph in the offline sequential run, which exists to avoid that (about 0.35 s a process).
 */
export class UnitRef {
  constructor(readonly changeset: ChangeSet) {}
}
