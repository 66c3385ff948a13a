/** One token per execution, from this package's nodes (the HTTP Request node's half: test/e2e). */
import { tokenSessionSuite } from './tokenSessions.ts';

tokenSessionSuite();
