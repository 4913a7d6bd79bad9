/** Helpers every pack shares: where findings point, widths, people, series. */
export { diffLineAsWritten, diffLocation, lineFinding, messageLocation } from './location.js';
export { formatPerson, isB4RelayAddress, patchAuthor, personOf, samePerson, trailerPerson } from './person.js';
export { seriesMembers, seriesMessages, seriesOf } from './series.js';
export { visualWidth } from './width.js';
