import { describe, expect, it } from 'vitest';
import { ROOMS, roomNamed, touches } from './mutation-rooms.mjs';
import { BEGIN, END, renderRooms, replaceGenerated, roomStats } from './mutation-report.mjs';

const at = (line: number) => ({ start: { line, column: 1 }, end: { line, column: 5 } });
const mutant = (id: string, status: string, line: number, extra = {}) => ({
  id,
  mutatorName: 'ConditionalExpression',
  replacement: 'true',
  status,
  location: at(line),
  ...extra,
});

describe('mutation report', () => {
  const room = roomNamed('escape');
  const report = {
    files: {
      'app/main/service/escape.ts': {
        source: '',
        mutants: [
          mutant('1', 'Killed', 3),
          mutant('2', 'Killed', 4),
          mutant('3', 'Timeout', 5),
          mutant('4', 'Survived', 9),
          mutant('5', 'NoCoverage', 7),
          mutant('6', 'Ignored', 8, { statusReason: 'only shortens a loop that ends anyway' }),
          mutant('7', 'CompileError', 2),
        ],
      },
    },
  };

  it('scores detected over detected + undetected; equivalents and errors count in neither', () => {
    const stats = roomStats(room, report);
    expect(stats.score).toBeCloseTo(60); // (2 killed + 1 timeout) / (3 + 1 survived + 1 uncovered)
    expect(stats.counts).toMatchObject({ Killed: 2, Timeout: 1, Survived: 1, NoCoverage: 1 });
    expect(stats.alive.map((r) => r.line)).toEqual([7, 9]);
    expect(stats.equivalent).toEqual([
      expect.objectContaining({ line: 8, reason: 'only shortens a loop that ends anyway' }),
    ]);
    expect(roomStats(room, null).score).toBeNull();
  });

  it('writes a row per room, the survivors and the equivalents with their reasons', () => {
    const text = renderRooms([
      roomStats(room, report, { complete: true, seconds: 150 }),
      roomStats(roomNamed('store'), null),
      roomStats(roomNamed('owner'), report, { complete: false, seconds: null }),
      roomStats(roomNamed('status'), report, { complete: true, seconds: 18 }),
    ]);
    expect(text).toContain('| daemon/status | 60.0 % | 2 | 1 | 1 | 1 | 1 | 1 | 18 s |');
    expect(text).toContain('| service/escape.ts | 60.0 % | 2 | 1 | 1 | 1 | 1 | 1 | 3 min |');
    expect(text).toContain('| daemon/store | not run |');
    expect(text).toContain('| daemon/owner | 60.0 % (partial) | 2 | 1 | 1 | 1 | 1 | 1 | stopped |');
    expect(text).toContain('A partial room is one whose last run was stopped before the end');
    expect(text).toContain(
      '`app/main/service/escape.ts:7` ConditionalExpression (no test reaches it)',
    );
    expect(text).toContain(
      '`app/main/service/escape.ts:8` ConditionalExpression: only shortens a loop that ends anyway',
    );
  });

  it('replaces only what stands between the markers', () => {
    const doc = `# Title\n\nprose\n\n${BEGIN}\nold\n${END}\n\nafter\n`;
    expect(replaceGenerated(doc, 'new')).toBe(
      `# Title\n\nprose\n\n${BEGIN}\n\nnew\n\n${END}\n\nafter\n`,
    );
    expect(replaceGenerated('', 'new')).toBe(`# Mutation testing\n\n${BEGIN}\n\nnew\n\n${END}\n`);
  });
});

describe('mutation rooms', () => {
  it('a change touches the room of its product file or test, not a test-only helper elsewhere', () => {
    const room = (name: string) => ROOMS.filter((r) => r.name === name);
    const touched = (path: string) => ROOMS.filter((r) => touches(r, path)).map((r) => r.name);
    expect(touched('app/main/daemon/store/manifest.ts')).toEqual(['store']);
    expect(touched('app/main/daemon/supervisor/logs/line-splitter.test.ts')).toEqual([
      'supervisor',
    ]);
    expect(touched('app/main/daemon/supervisor/fixtures/fake-worker.ts')).toEqual(['supervisor']);
    expect(touched('app/shared/util.ts')).toEqual(['shared']);
    expect(touched('app/shared/commands.ts')).toEqual([]);
    expect(touched('app/main/control/events-hub.ts')).toEqual([]);
    expect(touched('app/main/service/escape.ts')).toEqual(['escape']);
    expect(touched('README.md')).toEqual([]);
    expect(room('nope')).toEqual([]);
    expect(() => roomNamed('nope')).toThrow(/no mutation room "nope"/);
  });
});
