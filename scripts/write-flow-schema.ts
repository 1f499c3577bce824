import fs from 'node:fs';
import path from 'node:path';
import { flowJsonSchemaText } from '../src/ivr/flow-json-schema';

/**
 * `npm run schema`: writes ivr-flows/schema.json from the zod flow schema.
 * Run it after changing src/ivr/flow.ts; a test fails until you do.
 */
const target = path.join(__dirname, '..', 'ivr-flows', 'schema.json');
fs.writeFileSync(target, flowJsonSchemaText());
process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
