/**
 * Validator speed: validates 10,000 realistic statements (varied ids, actors, scores,
 * a mix of full, minimal and SubStatement shapes, 1.0.3 and 2.0.0) and prints the time.
 * Run: npx ts-node bench/validator-bench.ts [count]
 */
import { randomUUID } from 'crypto';
import {
  fullStatement103,
  fullStatement200,
  fullSubStatement,
} from '../src/xapi/validation/statement-examples';
import { StatementValidator, StatementVersion } from '../src/xapi/validation/statement-validator';

function realisticStatements(count: number): { statement: unknown; version: StatementVersion }[] {
  const out: { statement: unknown; version: StatementVersion }[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 4;
    const version: StatementVersion = kind === 3 ? '2.0.0' : '1.0.3';
    const s = kind === 3 ? fullStatement200() : fullStatement103();
    s.id = randomUUID();
    s.actor = { objectType: 'Agent', name: `Learner ${i}`, mbox: `mailto:learner${i}@example.com` };
    s.object.id = `http://example.com/courses/c${i % 50}/question-${i % 20}`;
    s.result.score = { scaled: (i % 100) / 100, raw: i % 100, min: 0, max: 100 };
    s.context.registration = randomUUID();
    if (kind === 1) {
      // a lean statement as most LMSs send them
      delete s.attachments;
      delete s.authority;
      delete s.stored;
      s.object = { id: s.object.id, definition: { name: { 'en-US': 'Module' } } };
      s.context = { registration: s.context.registration, platform: 'Example LMS' };
    }
    if (kind === 2) {
      s.object = fullSubStatement();
      delete s.context.revision;
      delete s.context.platform;
    }
    out.push({ statement: s, version });
  }
  return out;
}

function main() {
  const count = Number(process.argv[2] ?? 10_000);
  const validator = new StatementValidator();
  const statements = realisticStatements(count);
  // warm-up so the figure shows steady-state speed, not JIT compilation
  for (const { statement, version } of statements.slice(0, 500))
    validator.validate(statement, version);

  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  let violations = 0;
  for (const { statement, version } of statements) {
    violations += validator.validate(statement, version).length;
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;

  // Reference point on the same machine and moment: parsing the same statements' JSON.
  const texts = statements.map((s) => JSON.stringify(s.statement));
  const parseStart = process.hrtime.bigint();
  for (const text of texts) JSON.parse(text);
  const parseMs = Number(process.hrtime.bigint() - parseStart) / 1e6;
  const bytes = texts.reduce((n, t) => n + t.length, 0);

  console.log(
    `validated ${count} statements (${(bytes / count).toFixed(0)} bytes of JSON on average) ` +
      `in ${ms.toFixed(1)} ms wall, ${cpuMs.toFixed(1)} ms CPU: ` +
      `${((count / ms) * 1000).toFixed(0)} statements/s, ${((ms * 1000) / count).toFixed(1)} µs each; ` +
      `violations found: ${violations}. JSON.parse of the same statements: ${parseMs.toFixed(1)} ms`,
  );
  if (violations !== 0) process.exitCode = 1;
}

main();
