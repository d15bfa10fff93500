// Heimdall's answer to GET /api/session from node:http alone, with no framework and no session check
// (answer-shape.mjs): what the answer itself costs on Node.js.
import { ANSWER, answerHeaders } from './answer-shape.mjs';
import { serveMe } from './node-me.mjs';

serveMe(() => [answerHeaders(), JSON.stringify(ANSWER)]);
