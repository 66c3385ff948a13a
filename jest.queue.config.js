/** `npm run test:queue`: the queue-mode test alone (jest.config.js leaves it out of `npm test`). */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
	...base,
	roots: ['<rootDir>/test/queue'],
	testPathIgnorePatterns: ['/node_modules/'],
};
