// Below the floor: node:http alone answering GET /me with the same fixed JSON, no framework, no authentication.
import { USER } from './common.mjs';
import { serveMe } from './node-me.mjs';

const headers = { 'content-type': 'application/json; charset=utf-8' };
serveMe(() => [headers, JSON.stringify(USER)]);
