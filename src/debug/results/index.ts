export { parseXml, findAll, decodeEntities, type XmlElement } from './xml.js';
export { parseJUnit, pytestNodeId } from './junit.js';
export { parseJestJson } from './jest.js';
export { parseNodeEvents, NODE_EVENTS_REPORTER, NAME_PATTERN_SKIP } from './node-events.js';
export { scanTestOutput } from './text.js';
export { trimMessage, countStatuses, jsTestId, splitJsTestId, ID_SEP } from './common.js';
