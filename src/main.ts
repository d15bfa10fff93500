import { runServer } from './app/server.js';

await runServer();
